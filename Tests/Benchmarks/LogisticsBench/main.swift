import AsyncHTTPClient
import Foundation
import LogisticsService
import OMSBenchSupport
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO

// Logistics benchmark (issue 7): N `fulfillment.packed` events (1-2 parcels each, from three
// warehouses to twelve cities, some perishable, valuable or express) published at once; one
// logistics process chooses carriers, assigns tracking numbers, writes waybills and emits
// `shipment.dispatched`. Prints shipments dispatched per second (first to last `dispatched_at`)
// and publish-to-dispatch latency p50/p99 (queueing behind the burst included).
// Usage: oms-logistics-bench [packed=10000]
/// The whole run in one nonisolated function: its closures capture locals, not main-actor globals.
func benchmark() async throws {
    let arguments = CommandLine.arguments
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
    let logger = BenchSupport.logger("bench.logistics")
    let origins = [("SH1", "上海市", "上海市"), ("HZ1", "浙江省", "杭州市"), ("GZ1", "广东省", "广州市")]
    let cities = [("上海市", "上海市"), ("浙江省", "杭州市"), ("浙江省", "宁波市"), ("广东省", "深圳市"), ("江苏省", "南京市"), ("四川省", "成都市"),
                  ("北京市", "北京市"), ("湖北省", "武汉市"), ("陕西省", "西安市"), ("新疆维吾尔自治区", "乌鲁木齐市"), ("辽宁省", "沈阳市"), ("广东省", "广州市")]
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let service = LogisticsService(configuration: try LogisticsConfiguration(environment: [:]))
    /// Every fourth packed event has two parcels.
    let parcels = count + (count + 3) / 4
    let row = try await BenchSupport.run(service, port: 18_500, http: http, logger: logger, setUp: { base in
        for (code, province, city) in origins {
            try await BenchSupport.send(http, "\(base)/v1/logistics/warehouses/\(code)", #"{"name":"\#(code)","province":"\#(province)","city":"\#(city)","address":"物流园 1 号"}"#, put: true)
        }
    }, messages: { prefix in
        try (0..<count).map { number -> KafkaOutgoingMessage in
            let (province, city) = cities[number % cities.count]
            let lines = [OrderLine(lineNumber: 1, sku: "SKU-\(number % 50)", quantity: 1, unitPrice: .fen(9_900)), OrderLine(lineNumber: 2, sku: "SKU-\(number % 70)", quantity: 2, unitPrice: .fen(4_900))]
            var order = Order(orderID: "B-\(number)", channel: .web, channelOrderID: "B-\(number)", customer: Customer(customerKey: "web:b\(number)", name: "顾客", phone: "13800138000"),
                              deliveryAddress: Address(province: province, city: city, district: "区", street: "路 1 号"), lines: lines, shippingFee: .zero,
                              payment: Payment(method: .card, reference: "P", paidAmount: .zero, paidAt: nil), placedAt: Date())
            if number % 10 == 0 { order.requestedService = "express" }
            let boxes = number % 4 == 0 ? [[lines[0]], [lines[1]]] : [lines]
            let packed = boxes.enumerated().map { index, content in
                PackedParcel(parcelId: "P-\(number)-\(index)", cartonCode: "M", lengthMm: 350, widthMm: 250, heightMm: 150, weightGrams: 400 + (number % 40) * 300,
                             lines: content.map { ParcelLine(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity) }, fragile: false, liquid: false,
                             perishable: number % 7 == 0, valuable: number % 9 == 0, insured: number % 9 == 0, declaredValue: .fen(9_900), packaging: [], inserts: [])
            }
            let warehouse = origins[number % origins.count].0
            return try EventEnvelope.make(FulfillmentPacked(fulfillmentOrderId: "FO-\(number)", orderID: order.orderID, warehouseId: warehouse, parcels: packed,
                                                            packedBy: "automation", packedAt: Date(), order: order),
                                          orderID: order.orderID, producer: .fulfillment).kafkaMessage(topic: prefix + TopicCatalogue.fulfillmentEvents)
        }
    }, done: { client in
        let rows = try await client.query("SELECT count(*)::int8 FROM shipments", logger: logger)
        var shipped = 0
        for try await value in rows.decode(Int.self) { shipped = value }
        return shipped >= parcels
    }, report: { client, published in
        let stats = try await client.query("""
            SELECT count(*)::int8, count(DISTINCT tracking_number)::int8, extract(epoch FROM max(dispatched_at) - min(dispatched_at))::float8,
                   (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - \(published))))::float8,
                   (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - \(published))))::float8
            FROM shipments
            """, logger: logger)
        var line = ""
        for try await (shipments, distinct, span, p50, p99) in stats.decode((Int, Int, Double, Double, Double).self) {
            let seconds = max(span, 0.001)
            line = "| \(count) | \(shipments) | \(distinct) | \(Int(Double(count) / seconds)) | \(Int(Double(shipments) / seconds)) | \(Int(p50 * 1_000)) | \(Int(p99 * 1_000)) |"
        }
        return line
    })
    print("| packed events | shipments | distinct tracking numbers | packed/s | shipments/s | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(row)
    try await http.shutdown().get()
}

try await benchmark()
