import AsyncHTTPClient
import Foundation
import InventoryService
import OMSBenchSupport
import Logging
import NIOCore
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import ServiceLifecycle

// Inventory benchmark (issue 5): for each worker count and scenario, a fresh schema and topic
// prefix; three warehouses are stocked over HTTP, N `order.verified` events (1-3 lines each,
// deliveries spread over six cities) are published at once, and W inventory processes allocate
// them. Prints orders/s (first to last allocation) and the latency from publish to allocation
// (p50/p99, so it includes queueing behind the burst). Scenarios: `spread` (200 SKUs) and `hot`
// (every order wants one of 3 SKUs: all workers contend for the same stock rows).
// Usage: oms-inventory-bench [orders=10000] [workers=1,2]
let arguments = CommandLine.arguments
let orders = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
let workerCounts = (arguments.count > 2 ? arguments[2] : "1,2").split(separator: ",").compactMap { Int($0) }
let logger = BenchSupport.logger("bench.inventory")

let warehouses = [("SH1", "上海市", "上海市", 800), ("HZ1", "浙江省", "杭州市", 600), ("GZ1", "广东省", "广州市", 500)]
let cities = [("上海市", "上海市"), ("浙江省", "杭州市"), ("浙江省", "宁波市"), ("广东省", "深圳市"), ("江苏省", "南京市"), ("四川省", "成都市")]
let http = HTTPClient(eventLoopGroupProvider: .singleton)
let admin = try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: BenchSupport.brokers, clientID: "bench-admin"), logger: logger)
print("| workers | scenario | orders | orders/s | p50 ms | p99 ms |")
print("|---:|---|---:|---:|---:|---:|")
for workers in workerCounts {
    for (scenario, skuCount) in [("spread", 200), ("hot", 3)] {
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let prefix = "b\(id).", schema = "b_\(id)_inventory"
        let topics = TopicCatalogue.business + TopicCatalogue.operational.filter { $0.name.hasPrefix("oms.inventory.") }
        _ = try await admin.createTopics(topics.map { (prefix + $0.name, $0.partitions) })
        let port = 18_300 + workers * 10
        let client = try DatabaseConfiguration(url: BenchSupport.databaseURL, schema: schema).makeClient(logger: logger)
        let apps = try (0..<workers).map { try buildApplication(service: InventoryService(), configuration: try BenchSupport.configuration(.inventory, prefix: prefix, schema: schema, port: port + $0), logger: logger) as any Service }
        let group = ServiceGroup(configuration: .init(services: [client as any Service] + apps, logger: logger))
        let row = try await withThrowingTaskGroup(of: Void.self) { tasks -> String in
            tasks.addTask { try await group.run() }
            let base = "http://127.0.0.1:\(port)"
            try await BenchSupport.waitReady(http, base: base)
            let skus = (0..<skuCount).map { "BENCH-\($0)" }
            for (code, province, city, cost) in warehouses {
                try await BenchSupport.send(http, "\(base)/v1/inventory/warehouses/\(code)", #"{"name":"\#(code)","province":"\#(province)","city":"\#(city)","costPerParcelFen":\#(cost)}"#, put: true)
                let lines = skus.map { #"{"sku":"\#($0)","quantity":\#(orders * 3)}"# }.joined(separator: ",")
                try await BenchSupport.send(http, "\(base)/v1/inventory/receipts", #"{"receiptId":"R-\#(code)","warehouseId":"\#(code)","lines":[\#(lines)]}"#)
            }
            var generator = SystemRandomNumberGenerator()
            let envelopes = try (0..<orders).map { number -> KafkaOutgoingMessage in
                let (province, city) = cities[number % cities.count]
                let lines = (0..<Int.random(in: 1...min(3, skuCount), using: &generator)).map { index in
                    OrderLine(lineNumber: index + 1, sku: skus[(number + index * 7) % skuCount], quantity: Int.random(in: 1...2, using: &generator), unitPrice: .fen(5_000))
                }
                let order = Order(orderID: "B\(id)-\(number)", channel: .web, channelOrderID: "B-\(number)", customer: Customer(customerKey: "web:b\(number)", name: "", phone: ""),
                                  deliveryAddress: Address(province: province, city: city, district: "区", street: "路 1 号"), lines: lines, shippingFee: .zero,
                                  payment: Payment(method: .card, reference: "P", paidAmount: .zero, paidAt: nil), placedAt: Date())
                return try EventEnvelope.make(OrderVerified(orderID: order.orderID, score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(), order: order),
                                              orderID: order.orderID, producer: .risk).kafkaMessage(topic: prefix + TopicCatalogue.riskDecisions)
            }
            let published = Date()
            try await BenchSupport.publish(envelopes, logger: logger)
            while true {
                let rows = try await client.query("SELECT count(*) FROM orders", logger: logger)
                var count = 0
                for try await value in rows.decode(Int.self) { count = value }
                if count >= orders { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let stats = try await client.query("""
                SELECT extract(epoch FROM max(verified_at) - min(verified_at))::float8,
                       (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM verified_at - \(published))))::float8,
                       (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM verified_at - \(published))))::float8,
                       (SELECT count(*) FROM reservations)::int8, (SELECT count(*) FROM backorders)::int8
                FROM orders
                """, logger: logger)
            var line = ""
            for try await (span, p50, p99, reservations, backorders) in stats.decode((Double, Double, Double, Int, Int).self) {
                FileHandle.standardError.write(Data("\(scenario) x\(workers): \(reservations) reservation rows, \(backorders) backorders\n".utf8))
                line = "| \(workers) | \(scenario) (\(skuCount) SKUs) | \(orders) | \(Int(Double(orders) / max(span, 0.001))) | \(Int(p50 * 1_000)) | \(Int(p99 * 1_000)) |"
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return line
        }
        print(row)
    }
}
await admin.close()
try await http.shutdown().get()
