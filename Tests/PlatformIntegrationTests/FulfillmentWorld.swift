import AfterSalesService
import AsyncHTTPClient
import Foundation
import OMSDemo
import FulfillmentService
import Hummingbird
import InventoryService
import LogisticsService
import Logging
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// Inventory, fulfillment and logistics processes on an `IntakeWorld`'s topics, each in its own
/// schema, and the fixtures the fulfillment and logistics tests share.
extension IntakeWorld {
    var fulfillmentSchema: String { "t_\(id)_fulfillment" }

    func fulfillmentApplication(port: Int, environment extra: [String: String]) throws -> some ApplicationProtocol {
        try serviceApplication(FulfillmentService(configuration: try FulfillmentConfiguration(environment: extra)), schema: fulfillmentSchema, batchSize: 100, poolSize: 8, port: port)
    }

    var logisticsSchema: String { "t_\(id)_logistics" }

    func logisticsApplication(port: Int, environment extra: [String: String]) throws -> some ApplicationProtocol {
        try serviceApplication(LogisticsService(configuration: try LogisticsConfiguration(environment: extra)), schema: logisticsSchema, batchSize: 100, poolSize: 8, port: port)
    }

    var afterSalesSchema: String { "t_\(id)_aftersales" }

    func afterSalesApplication(port: Int, environment extra: [String: String]) throws -> some ApplicationProtocol {
        try serviceApplication(AfterSalesService(configuration: try AfterSalesConfiguration(environment: extra)), schema: afterSalesSchema, batchSize: 100, poolSize: 8, port: port)
    }

    /// HTTP clients of the processes `withStages` runs.
    struct StageClients: Sendable {
        var inventory: EdgeClient?
        var fulfillment: EdgeClient?
        var logistics: EdgeClient?
        var afterSales: EdgeClient?
    }

    /// Runs the chosen downstream services as real processes-in-process (inventory; fulfillment with
    /// its environment; `logisticsProcesses` logistics processes in one group with theirs;
    /// after-sales with its environment) for the
    /// duration of `body`. Shutdown is always graceful, never a cancellation.
    func withStages<T: Sendable>(inventory: Bool = false, fulfillment: [String: String]? = nil, logistics: [String: String]? = nil, logisticsProcesses: Int = 1,
                                 afterSales: [String: String]? = nil, afterSalesProcesses: Int = 1, _ body: @Sendable (StageClients) async throws -> T) async throws -> T {
        let base = TestPorts.block(10)
        var apps: [any Service] = []
        var clients = StageClients()
        func client(_ port: Int) -> EdgeClient { EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide) }
        if inventory { apps.append(try inventoryApplication(port: base)); clients.inventory = client(base) }
        if let fulfillment { apps.append(try fulfillmentApplication(port: base + 1, environment: fulfillment)); clients.fulfillment = client(base + 1) }
        if let logistics {
            for index in 0..<logisticsProcesses { apps.append(try logisticsApplication(port: base + 2 + index, environment: logistics)) }
            clients.logistics = client(base + 2)
        }
        if let afterSales {
            // A provider's notification address names after-sales' own port, known only here.
            let environment = afterSales.mapValues { $0.replacingOccurrences(of: "{aftersales-port}", with: "\(base + 9)") }
            apps.append(try afterSalesApplication(port: base + 9, environment: environment))
            // Replicas (same schema and consumer group) on the ports below, for races between them.
            for index in 1..<max(1, afterSalesProcesses) { apps.append(try afterSalesApplication(port: base + 9 - index, environment: environment)) }
            clients.afterSales = client(base + 9)
        }
        let all = [clients.inventory, clients.fulfillment, clients.logistics, clients.afterSales].compactMap { $0 }
        let ready = clients
        return try await running(apps, readyAt: all) { try await body(ready) }
    }

    /// One fulfillment process, and inventory when `withInventory`; `body` gets their clients.
    func withFulfillment<T: Sendable>(withInventory: Bool = false, environment extra: [String: String] = ["OMS_WAVE_CHECK_SECONDS": "1"],
                                      _ body: @Sendable (_ fulfillment: EdgeClient, _ inventory: EdgeClient?) async throws -> T) async throws -> T {
        try await withStages(inventory: withInventory, fulfillment: extra) { clients in try await body(clients.fulfillment!, clients.inventory) }
    }

    func fulfillmentCount(_ sql: String) async throws -> Int {
        try await count(sql.replacingOccurrences(of: "ful.", with: "\(fulfillmentSchema)."))
    }

    /// Every fulfillment event about `orderID` once `done` holds.
    func fulfillmentEvents(about orderID: String, until done: @escaping ([EventEnvelope]) -> Bool) async throws -> [EventEnvelope] {
        try await events(on: TopicCatalogue.fulfillmentEvents) { done($0.filter { $0.orderID == orderID }) }.filter { $0.orderID == orderID }
    }
}

/// Set-up and events the fulfillment tests build on: demo-catalog items (the item master is seeded
/// with them), warehouse modes, reservations as inventory would announce them.
enum FulfillmentFixtures {
    static func product(_ sku: String) -> Product { DemoCatalog.products.first { $0.sku == sku }! }
    static func barcode(_ sku: String) -> String { product(sku).barcodes[0] }

    static func configure(_ http: EdgeClient, _ warehouse: String, automatic: Bool, waveMaxOrders: Int = 20, waveWindowSeconds: Int = 3_600) async throws {
        let body = #"{"automatic":\#(automatic),"waveMaxOrders":\#(waveMaxOrders),"waveWindowSeconds":\#(waveWindowSeconds)}"#
        let reply = try await http.send(.PUT, "/v1/fulfillment/warehouses/\(warehouse)", body: Array(body.utf8))
        guard reply.status == 200 else { throw InventoryFixtures.Failure("warehouse settings: \(reply.status) \(reply.text)") }
    }

    /// An order of demo SKUs at their list prices.
    static func order(_ id: String, province: String = "浙江省", city: String = "杭州市", _ lines: [(sku: String, quantity: Int)]) -> Order {
        InventoryFixtures.order(id, province: province, city: city, lines: lines.map { ($0.sku, $0.quantity, product($0.sku).listPrice.minorUnits) })
    }

    /// `inventory.reserved` for the whole order in `warehouse`, as inventory announces it.
    static func reserved(_ order: Order, in warehouse: String) throws -> (EventEnvelope, String) {
        let allocations = order.lines.map { StockAllocation(lineNumber: $0.lineNumber, sku: $0.sku, warehouseId: warehouse, quantity: $0.quantity) }
        return (try EventEnvelope.make(InventoryReserved(orderID: order.orderID, allocations: allocations, cause: "verified", orderComplete: true, reservedAt: Date(), order: order),
                                       orderID: order.orderID, producer: .inventory), TopicCatalogue.inventoryEvents)
    }

    static func cancelled(_ orderID: String) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderCancelled(orderID: orderID, requestedBy: "customer", reason: "changed mind", previousStatus: .allocated, cancelledAt: Date()),
                                orderID: orderID, producer: .intake), TopicCatalogue.orders)
    }

    static func scan(_ http: EdgeClient, task: Int, barcode: String, quantity: Int, picker: String = "picker-7") async throws -> EdgeClient.Reply {
        try await http.send(.POST, "/v1/fulfillment/pick-tasks/\(task)/scans", body: Array(#"{"barcode":"\#(barcode)","quantity":\#(quantity),"picker":"\#(picker)"}"#.utf8))
    }
}
