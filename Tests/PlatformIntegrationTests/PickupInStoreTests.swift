import Foundation
import OMSDomain
import OMSPlatform
import Testing

/// Buy online, pick up in store (门店自提) through real inventory, fulfillment, logistics and
/// after-sales: reserved at the chosen store, packed there, ready with a code, collected with it;
/// one not collected in time goes back on the store's shelves and is refunded.
@Suite("Pickup in store: reserved in the store, ready with a code, collected or expired and refunded", .serialized)
struct PickupInStoreTests {
    typealias A = AfterSalesFlowTests

    static func pickupOrder(_ id: String, sku: String = "CLO-HOOD-NVY-L") -> Order {
        var order = InventoryFixtures.order(id, province: "上海市", city: "上海市", lines: [(sku, 1, 25_900)])
        order.deliveryAddress = nil
        order.pickupStoreID = "S-PU"
        order.payment.paidAmount = order.total
        return order
    }

    @Test("one pickup collected with its code (a wrong code refused, a retry answered), the other expires: restocked at the store and refunded in full")
    func collectedAndExpired() async throws {
        try await withIntakeWorld { world in
            var logistics = LogisticsFlowTests.signingEnvironment
            logistics["OMS_PICKUP_HOLD_SECONDS"] = "15"
            logistics["OMS_PICKUP_CHECK_SECONDS"] = "1"
            try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: logistics, afterSales: [:]) { stages in
                let inventory = try #require(stages.inventory), counter = try #require(stages.logistics), afterSales = try #require(stages.afterSales)
                try await InventoryFixtures.setUpWarehouses(inventory)
                let store = #"{"name":"南京东路店","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store"}"#
                #expect(try await inventory.send(.PUT, "/v1/inventory/warehouses/S-PU", body: Array(store.utf8)).status == 200)
                #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 3, into: "S-PU").status == 201)
                #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 10, into: "SH1").status == 201)

                let (kept, late) = (Self.pickupOrder("O-PU-1"), Self.pickupOrder("O-PU-2"))
                let waiting = Self.pickupOrder("O-PU-3", sku: "CLO-JEAN-BLK-M")
                try await world.publish([try A.received(kept), try A.received(late), try A.received(waiting),
                                         try InventoryFixtures.verified(kept), try InventoryFixtures.verified(late), try InventoryFixtures.verified(waiting)])
                // Reserved in the store (SH1 is as near and holds more), packed there, ready with a code.
                let ready = try await world.events(on: TopicCatalogue.shipments) { events in
                    Set(events.filter { $0.type == ShipmentDispatched.eventType }.map(\.orderID)).isSuperset(of: ["O-PU-1", "O-PU-2"])
                }.filter { $0.type == ShipmentDispatched.eventType }
                let dispatched = try Dictionary(ready.map { ($0.orderID, try $0.decode(ShipmentDispatched.self)) }) { first, _ in first }
                let first = try #require(dispatched["O-PU-1"]), second = try #require(dispatched["O-PU-2"])
                #expect(first.warehouseId == "S-PU" && first.carrier == "STORE-PICKUP" && first.trackingNumber.hasPrefix("ZT"))
                let code = try #require(first.pickupCode)
                #expect(code.count == 6 && first.pickupExpiresAt != nil)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id IN ('O-PU-1', 'O-PU-2') AND warehouse_code <> 'S-PU'") == 0)
                #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id IN ('O-PU-1', 'O-PU-2')") == 0)


                // The customer shows the code at the counter.
                let staff = ["X-User-Id": "store-clerk-3"]
                let list = try await counter.send(.GET, "/v1/logistics/pickups?storeId=S-PU&status=ready", headers: staff).json["pickups"] as? [[String: Any]] ?? []
                #expect(list.count == 2 && !String(describing: list).contains(code))
                let wrongCode = code == "000000" ? "000001" : "000000"
                let wrong = try await counter.send(.POST, "/v1/logistics/pickups/\(first.trackingNumber)/collect", body: Array(#"{"pickupCode":"\#(wrongCode)"}"#.utf8), headers: staff)
                #expect(wrong.status == 422 && A.code(wrong) == "wrong_pickup_code")
                let collected = try await counter.send(.POST, "/v1/logistics/pickups/\(first.trackingNumber)/collect", body: Array(#"{"pickupCode":"\#(code)"}"#.utf8), headers: staff)
                #expect(collected.status == 200 && collected.json["status"] as? String == "collected" && !(collected.json["collectedBy"] as? String ?? "").isEmpty)
                let again = try await counter.send(.POST, "/v1/logistics/pickups/\(first.trackingNumber)/collect", body: Array(#"{"pickupCode":"\#(code)"}"#.utf8), headers: staff)
                #expect(again.status == 200)
                let delivered = try await world.events(on: TopicCatalogue.shipments) { events in
                    events.contains { $0.type == ShipmentDelivered.eventType && $0.orderID == "O-PU-1" }
                }.filter { $0.type == ShipmentDelivered.eventType && $0.orderID == "O-PU-1" }
                #expect(delivered.count == 1)
                #expect(try await world.eventually { try await A.delivered(afterSales, "O-PU-1") == [1] })

                // The other waits past its time: back on the store's shelves, refunded in full.
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).returns WHERE order_id = 'O-PU-2' AND reason = 'notCollected' AND status = 'refunded'") == 1
                })
                #expect(try await world.count("SELECT amount_fen::int FROM \(world.afterSalesSchema).refunds WHERE order_id = 'O-PU-2'") == 25_900)
                #expect(try await world.eventually {
                    try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-HOOD-NVY-L' AND warehouse_code = 'S-PU'") == 2
                })
                let expired = try await counter.send(.POST, "/v1/logistics/pickups/\(second.trackingNumber)/collect", body: Array(#"{"pickupCode":"\#(second.pickupCode ?? "")"}"#.utf8), headers: staff)
                #expect(expired.status == 409 && A.code(expired) == "pickup_expired")
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).returns WHERE order_id = 'O-PU-2'") == 1)
                // A pickup whose store lacks the goods waits for that store's stock, never a warehouse's.
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-PU-3' AND status = 'open'") == 1 })
                #expect(try await InventoryFixtures.receive(inventory, "CLO-JEAN-BLK-M", 5, into: "SH1").status == 201)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id = 'O-PU-3'") == 0)
                #expect(try await InventoryFixtures.receive(inventory, "CLO-JEAN-BLK-M", 1, into: "S-PU").status == 201)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id = 'O-PU-3' AND warehouse_code = 'S-PU'") == 1)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }
}
