import Foundation
import InventoryService
import OMSDomain
import OMSPlatform
import Testing

/// Stores as fulfillment nodes: inventory sources online orders to stores that ship online, within
/// their hours and daily capacity, and the parcel leaves from the store through fulfillment and
/// logistics like any warehouse's (real services, PostgreSQL and broker).
@Suite("Ship-from-store: a store ships online orders within its hours and daily capacity", .serialized)
struct ShipFromStoreTests {
    static func putStore(_ http: EdgeClient, _ code: String, _ json: String) async throws -> EdgeClient.Reply {
        try await http.send(.PUT, "/v1/inventory/warehouses/\(code)", body: Array(json.utf8))
    }

    /// Opening hours that exclude the present moment (same Asia/Shanghai day).
    static func closedNow() -> (String, String) {
        let now = StoreShipping.shanghaiMinute(Date())
        let (opens, closes) = now + 180 < 1_440 ? (now + 120, now + 180) : (now - 180, now - 120)
        func text(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
        return (text(opens), text(closes))
    }

    static func reservedAt(_ world: IntakeWorld, _ orderID: String) async throws -> [String] {
        try await world.strings("SELECT DISTINCT warehouse_code FROM \(world.inventorySchema).reservations WHERE order_id = '\(orderID)' AND status IN ('active', 'shipped') ORDER BY 1").map { $0[0] }
    }

    @Test("the nearest open store ships until its day is full, then the warehouse; a closed store only when nobody else can; a till-only store never; the parcel leaves from the store")
    func shipsFromStore() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment) { stages in
                let inventory = try #require(stages.inventory), logistics = try #require(stages.logistics)
                try await InventoryFixtures.setUpWarehouses(inventory)
                let (opens, closes) = Self.closedNow()
                #expect(try await Self.putStore(inventory, "S-SH", #"{"name":"南京东路店","province":"上海市","city":"上海市","costPerParcelFen":300,"kind":"store","shipsOnline":true,"dailyCapacity":1}"#).status == 200)
                #expect(try await Self.putStore(inventory, "S-SH2", #"{"name":"徐家汇店","province":"上海市","city":"上海市","costPerParcelFen":100,"kind":"store","shipsOnline":true,"opensAt":"\#(opens)","closesAt":"\#(closes)"}"#).status == 200)
                #expect(try await Self.putStore(inventory, "S-TILL", #"{"name":"静安店","province":"上海市","city":"上海市","costPerParcelFen":100,"kind":"store"}"#).status == 200)
                for (code, province, city) in [("S-SH", "上海市", "上海市"), ("S-SH2", "上海市", "上海市")] {
                    let body = #"{"name":"\#(code) 门店","province":"\#(province)","city":"\#(city)","address":"南京东路 1 号"}"#
                    #expect(try await logistics.send(.PUT, "/v1/logistics/warehouses/\(code)", body: Array(body.utf8)).status == 200)
                }
                for (store, units) in [("S-SH", 5), ("S-SH2", 5), ("S-TILL", 5), ("GZ1", 5)] {
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", units, into: store).status == 201)
                }
                #expect(try await InventoryFixtures.receive(inventory, "CLO-JEAN-BLK-M", 2, into: "S-SH2").status == 201)

                // Bad set-up is refused with the field named.
                for (code, json, field) in [
                    ("W-X", #"{"name":"x","province":"上海市","city":"上海市","costPerParcelFen":0,"shipsOnline":true}"#, "shipsOnline"),
                    ("S-X", #"{"name":"x","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store","shipsOnline":true,"opensAt":"25:00","closesAt":"26:00"}"#, "opensAt"),
                    ("S-X", #"{"name":"x","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store","shipsOnline":true,"opensAt":"09:00"}"#, "closesAt"),
                    ("S-X", #"{"name":"x","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store","shipsOnline":true,"opensAt":"21:00","closesAt":"09:00"}"#, "closesAt"),
                    ("S-X", #"{"name":"x","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store","dailyCapacity":5}"#, "dailyCapacity"),
                ] {
                    let reply = try await Self.putStore(inventory, code, json)
                    #expect(reply.status == 422, "\(json)")
                    let fields = ((reply.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                    #expect(fields.contains(field), "\(json): \(fields)")
                }

                let first = InventoryFixtures.order("O-STORE-1", province: "上海市", city: "上海市", lines: [("CLO-HOOD-NVY-L", 1, 25_900)])
                try await world.publish([try InventoryFixtures.verified(first)])
                #expect(try await world.eventually { try await Self.reservedAt(world, "O-STORE-1") == ["S-SH"] })
                let second = InventoryFixtures.order("O-STORE-2", province: "上海市", city: "上海市", lines: [("CLO-HOOD-NVY-L", 1, 25_900)])
                let third = InventoryFixtures.order("O-STORE-3", province: "上海市", city: "上海市", lines: [("CLO-JEAN-BLK-M", 1, 29_900)])
                try await world.publish([try InventoryFixtures.verified(second), try InventoryFixtures.verified(third)])
                // S-SH took its one online order of the day; S-SH2 is closed, so the far warehouse ships.
                #expect(try await world.eventually { try await Self.reservedAt(world, "O-STORE-2") == ["GZ1"] })
                // Only the closed store has jeans: it ships them when it opens rather than a backorder.
                #expect(try await world.eventually { try await Self.reservedAt(world, "O-STORE-3") == ["S-SH2"] })
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.backorders") == 0)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE warehouse_code = 'S-TILL'") == 0)
                #expect(try await world.inventoryCount("SELECT orders FROM inv.store_capacity_days WHERE store_code = 'S-SH'") == 1)

                // Picked and packed at the store (automatic here), booked and dispatched from it.
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-STORE-1' AND warehouse_code = 'S-SH'") == 1
                })
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-HOOD-NVY-L' AND warehouse_code = 'S-SH'") == 4 })
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("two inventory workers sourcing 40 orders of different SKUs at once never give a store more than its daily capacity of 7")
    func capacityUnderConcurrency() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory(processes: 2) { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await Self.putStore(http, "S-SH", #"{"name":"南京东路店","province":"上海市","city":"上海市","costPerParcelFen":300,"kind":"store","shipsOnline":true,"dailyCapacity":7}"#).status == 200)
                let skus = (0..<40).map { "SKU-STORE-\($0)" }
                for sku in skus {
                    #expect(try await InventoryFixtures.receive(http, sku, 1, into: "S-SH").status == 201)
                    #expect(try await InventoryFixtures.receive(http, sku, 1, into: "GZ1").status == 201)
                }
                let orders = skus.enumerated().map { InventoryFixtures.order("O-CAP-\($0.offset)", province: "上海市", city: "上海市", lines: [($0.element, 1, 9_900)]) }
                try await world.publish(try orders.map(InventoryFixtures.verified))
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.orders WHERE order_id LIKE 'O-CAP-%'") == 40 })
                #expect(try await world.inventoryCount("SELECT count(DISTINCT order_id) FROM inv.reservations WHERE warehouse_code = 'S-SH'") == 7)
                #expect(try await world.inventoryCount("SELECT count(DISTINCT order_id) FROM inv.reservations WHERE warehouse_code = 'GZ1'") == 33)
                #expect(try await world.inventoryCount("SELECT orders FROM inv.store_capacity_days WHERE store_code = 'S-SH'") == 7)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }
}
