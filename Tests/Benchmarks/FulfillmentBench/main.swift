import AsyncHTTPClient
import Foundation
import OMSDemo
import FulfillmentService
import OMSBenchSupport
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO

// Fulfillment benchmark (issue 6): automatic warehouses, so every `inventory.reserved` becomes
// fulfillment orders that are picked and packed (packing rules, carton choice, parcels,
// `fulfillment.packed`) in the handler's transaction. A fresh schema and topic prefix, N reservation
// events (1-3 lines of demo-catalog SKUs, every third split over two warehouses) published at once,
// one fulfillment process. Prints fulfillment orders packed per second (first to last `packed_at`),
// reservations/s, parcels, and publish-to-packed latency p50/p99 (queueing behind the burst included).
// Usage: oms-fulfillment-bench [reservations=10000]
/// The whole run in one nonisolated function: its closures capture locals, not main-actor globals.
func benchmark() async throws {
    let arguments = CommandLine.arguments
    let reservations = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
    let logger = BenchSupport.logger("bench.fulfillment")
    let warehouses = ["SH1", "HZ1", "GZ1"]
    let products = DemoCatalog.products
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let service = FulfillmentService(configuration: try FulfillmentConfiguration(environment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"]))
    let row = try await BenchSupport.run(service, port: 18_400, http: http, logger: logger, messages: { prefix in
        var generator = SystemRandomNumberGenerator()
        return try (0..<reservations).map { number -> KafkaOutgoingMessage in
            let lines = (0..<Int.random(in: 1...3, using: &generator)).map { index in
                let product = products[(number * 7 + index * 31) % products.count]
                return OrderLine(lineNumber: index + 1, sku: product.sku, quantity: Int.random(in: 1...2, using: &generator), unitPrice: product.listPrice)
            }
            let order = Order(orderID: "B-\(number)", channel: .web, channelOrderID: "B-\(number)", customer: Customer(customerKey: "web:b\(number)", name: "", phone: ""),
                              deliveryAddress: Address(province: "浙江省", city: "杭州市", district: "区", street: "路 1 号"), lines: lines, shippingFee: .zero,
                              payment: Payment(method: .card, reference: "P", paidAmount: .zero, paidAt: nil), placedAt: Date())
            let split = number % 3 == 0 && lines.count > 1
            let allocations = lines.enumerated().map { index, line in
                StockAllocation(lineNumber: line.lineNumber, sku: line.sku, warehouseId: warehouses[split ? (number + index) % 3 : number % 3], quantity: line.quantity)
            }
            return try EventEnvelope.make(InventoryReserved(orderID: order.orderID, allocations: allocations, cause: "verified", orderComplete: true, reservedAt: Date(), order: order),
                                          orderID: order.orderID, producer: .inventory).kafkaMessage(topic: prefix + TopicCatalogue.inventoryEvents)
        }
    }, done: { client in
        let rows = try await client.query("SELECT (SELECT count(*) FROM inbox)::int8, (SELECT count(*) FROM fulfillment_orders WHERE status <> 'packed')::int8", logger: logger)
        var finished = false
        for try await (handled, unpacked) in rows.decode((Int, Int).self) { finished = handled >= reservations && unpacked == 0 }
        return finished
    }, report: { client, published in
        let stats = try await client.query("""
            SELECT count(*)::int8, extract(epoch FROM max(packed_at) - min(packed_at))::float8,
                   (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM packed_at - \(published))))::float8,
                   (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM packed_at - \(published))))::float8,
                   (SELECT count(*) FROM parcels)::int8
            FROM fulfillment_orders
            """, logger: logger)
        var line = ""
        for try await (orders, span, p50, p99, parcels) in stats.decode((Int, Double, Double, Double, Int).self) {
            let seconds = max(span, 0.001)
            line = "| \(reservations) | \(orders) | \(parcels) | \(Int(Double(reservations) / seconds)) | \(Int(Double(orders) / seconds)) | \(Int(p50 * 1_000)) | \(Int(p99 * 1_000)) |"
        }
        return line
    })
    print("| reservations | fulfillment orders | parcels | reservations/s | fulfillment orders/s | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(row)
    try await http.shutdown().get()
}

try await benchmark()
