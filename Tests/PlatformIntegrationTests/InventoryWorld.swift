import AsyncHTTPClient
import Foundation
import Hummingbird
import InventoryService
import Logging
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// Inventory processes on an `IntakeWorld`'s topics, in its own schema, and the fixtures the
/// inventory tests share: orders to verify, warehouse set-up over HTTP, ledger audits.
extension IntakeWorld {
    var inventorySchema: String { "t_\(id)_inventory" }

    func inventoryApplication(port: Int) throws -> some ApplicationProtocol {
        try serviceApplication(InventoryService(), schema: inventorySchema, batchSize: 100, poolSize: 8, port: port)
    }

    /// Runs `processes` inventory processes (one consumer group) for the duration of `body`,
    /// which talks to the first one over HTTP.
    func withInventory<T: Sendable>(processes: Int = 1, _ body: @Sendable (EdgeClient) async throws -> T) async throws -> T {
        let base = TestPorts.block(processes)
        let http = EdgeClient(base: "http://127.0.0.1:\(base)", http: EdgeClient.wide)
        return try await running(try (0..<processes).map { try inventoryApplication(port: base + $0) }, readyAt: [http]) { try await body(http) }
    }

    func inventoryCount(_ sql: String) async throws -> Int {
        try await count(sql.replacingOccurrences(of: "inv.", with: "\(inventorySchema)."))
    }

    /// Stock rows whose levels differ from the sum of their ledger movements, or whose reserved
    /// differs from their active reservations. Zero after every inventory test.
    func ledgerDiscrepancies() async throws -> Int {
        try await inventoryCount("""
            SELECT count(*) FROM inv.stock s
            LEFT JOIN (SELECT sku, warehouse_code, sum(on_hand_delta) oh, sum(reserved_delta) r, sum(quarantined_delta) q, sum(in_transit_delta) t
                       FROM inv.stock_movements GROUP BY 1, 2) m USING (sku, warehouse_code)
            LEFT JOIN (SELECT sku, warehouse_code, sum(quantity) a FROM inv.reservations WHERE status = 'active' GROUP BY 1, 2) r USING (sku, warehouse_code)
            WHERE s.on_hand <> COALESCE(m.oh, 0) OR s.reserved <> COALESCE(m.r, 0) OR s.quarantined <> COALESCE(m.q, 0)
               OR s.in_transit <> COALESCE(m.t, 0) OR s.reserved <> COALESCE(r.a, 0)
            """)
    }

    /// Every inventory event about `orderID` (or `sku:<SKU>` key) once `done` holds.
    func inventoryEvents(about key: String, until done: @escaping ([EventEnvelope]) -> Bool) async throws -> [EventEnvelope] {
        try await events(on: TopicCatalogue.inventoryEvents) { done($0.filter { $0.orderID == key }) }.filter { $0.orderID == key }
    }
}

/// Orders and set-up the inventory tests build on.
enum InventoryFixtures {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let warehouses: [(code: String, province: String, city: String, cost: Int)] = [
        ("SH1", "上海市", "上海市", 800), ("HZ1", "浙江省", "杭州市", 600), ("GZ1", "广东省", "广州市", 500),
    ]

    static func setUpWarehouses(_ http: EdgeClient) async throws {
        for warehouse in warehouses {
            let body = #"{"name":"\#(warehouse.code) DC","province":"\#(warehouse.province)","city":"\#(warehouse.city)","costPerParcelFen":\#(warehouse.cost)}"#
            let reply = try await http.send(.PUT, "/v1/inventory/warehouses/\(warehouse.code)", body: Array(body.utf8))
            guard reply.status == 200 else { throw Failure("warehouse set-up: \(reply.status) \(reply.text)") }
        }
    }

    /// Receives `quantity` units of `sku` into `warehouse` (free receipt).
    static func receive(_ http: EdgeClient, _ sku: String, _ quantity: Int, into warehouse: String, id: String = UUID().uuidString) async throws -> EdgeClient.Reply {
        let body = #"{"receiptId":"\#(id)","warehouseId":"\#(warehouse)","lines":[{"sku":"\#(sku)","quantity":\#(quantity)}]}"#
        return try await http.send(.POST, "/v1/inventory/receipts", body: Array(body.utf8))
    }

    static func order(_ id: String, channel: OMSDomain.Channel = .web, province: String = "浙江省", city: String = "杭州市",
                      lines: [(sku: String, quantity: Int, priceFen: Int64)]) -> Order {
        Order(orderID: id, channel: channel, channelOrderID: "CH-\(id)",
              customer: Customer(customerKey: "web:c-\(id)", name: "张三", phone: "13800138000"),
              deliveryAddress: Address(province: province, city: city, district: "某区", street: "人民路 1 号"),
              lines: lines.enumerated().map { OrderLine(lineNumber: $0.offset + 1, sku: $0.element.sku, quantity: $0.element.quantity, unitPrice: .fen($0.element.priceFen)) },
              shippingFee: .zero, payment: Payment(method: .card, reference: "PAY-\(id)", paidAmount: .zero, paidAt: Date()), placedAt: Date())
    }

    static func verified(_ order: Order) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderVerified(orderID: order.orderID, score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(), order: order),
                                orderID: order.orderID, producer: .risk), TopicCatalogue.riskDecisions)
    }
}
