import AsyncHTTPClient
import Foundation
import Hummingbird
import IntegrationsService
import NIOConcurrencyHelpers
import OMSBenchSupport
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import ServiceLifecycle

// Webhook benchmark (issue 25): N `order.received` events (N orders) published at once; one
// integrations process delivers each to the subscriptions of the run, signed, to receivers in this
// process. Run 1: one healthy receiver. Run 2: the same healthy receiver, plus one answering after
// 2 s and one whose port refuses connections. Prints, for the healthy receiver, deliveries/s
// (first to last arrival) and the delay from the event's occurredAt to its arrival, p50/p99
// (queueing behind the burst included). Settle time 0 (the dispatcher itself; production adds
// OMS_WEBHOOK_SETTLE_MILLISECONDS), other settings default.
// Usage: oms-webhook-bench [events=2000]

/// Arrivals per receiver: the first instant each event id arrived.
final class Arrivals: Sendable {
    let state = NIOLockedValueBox([String: [String: Date]]())
    func record(_ receiver: String, _ event: String) {
        state.withLockedValue { $0[receiver, default: [:]][event] = $0[receiver]?[event] ?? Date() }
    }
    func of(_ receiver: String) -> [String: Date] { state.withLockedValue { $0[receiver] ?? [:] } }
}

func receiverApplication(port: Int, arrivals: Arrivals) -> some ApplicationProtocol {
    let router = Router()
    router.post("/hooks/:name") { request, context -> Response in
        let name = context.parameters.get("name") ?? ""
        _ = try await request.body.collect(upTo: 1 << 20)
        if name == "slow" { try await Task.sleep(for: .seconds(2)) }
        arrivals.record(name, request.headers[.init("OMS-Webhook-Id")!] ?? "")
        return Response(status: .noContent)
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
}

func run(events count: Int, withFailingReceivers: Bool, http: HTTPClient, logger: Logger) async throws -> String {
    let arrivals = Arrivals()
    let receiverPort = withFailingReceivers ? 18_611 : 18_601
    let receiver = receiverApplication(port: receiverPort, arrivals: arrivals)
    let receiverGroup = ServiceGroup(configuration: .init(services: [receiver], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await receiverGroup.run() }
        let service = IntegrationsService(configuration: try IntegrationsConfiguration(environment: ["OMS_WEBHOOK_SETTLE_MILLISECONDS": "0"].merging(ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("OMS_WEBHOOK_") }) { _, new in new }))
        var occurred: [String: Date] = [:]
        let row = try await BenchSupport.run(service, port: withFailingReceivers ? 18_610 : 18_600, extra: ["OMS_WEBHOOK_SETTLE_MILLISECONDS": "0"], http: http, logger: logger,
                                             setUp: { base in
            var receivers = [("healthy", "http://127.0.0.1:\(receiverPort)/hooks/healthy")]
            if withFailingReceivers {
                receivers += [("slow", "http://127.0.0.1:\(receiverPort)/hooks/slow"), ("dead", "http://127.0.0.1:18699/hooks/dead")]
            }
            for (name, url) in receivers {
                try await BenchSupport.send(http, "\(base)/v1/integrations/webhooks", #"{"name":"\#(name)","url":"\#(url)","eventTypes":["order.received"]}"#)
            }
        }, messages: { prefix in
            try (0..<count).map { number in
                let order = "WB-\(number)"
                let envelope = EventEnvelope(type: OrderReceived.eventType, schemaVersion: 1, orderID: order, correlationID: UUID(), causationID: nil, producer: .intake,
                                             payload: Array(#"{"order":{"orderID":"\#(order)","channel":"web","customer":{"name":"顾客","phone":"13800138000"},"lines":[{"sku":"SKU-\#(number % 50)","quantity":1}]}}"#.utf8))
                occurred[envelope.eventID.uuidString.lowercased()] = envelope.occurredAt
                return envelope.kafkaMessage(topic: prefix + TopicCatalogue.orders)
            }
        }, done: { _ in
            arrivals.of("healthy").count >= count
        }, report: { client, _ in
            let healthy = arrivals.of("healthy")
            let delays = healthy.compactMap { id, at in occurred[id].map { at.timeIntervalSince($0) } }.sorted()
            let first = healthy.values.min() ?? Date(), last = healthy.values.max() ?? Date()
            func percentile(_ p: Double) -> Int { delays.isEmpty ? 0 : Int(delays[min(delays.count - 1, Int(Double(delays.count) * p))] * 1_000) }
            var backlog = ""
            let rows = try await client.query("SELECT s.name, count(*) FILTER (WHERE d.status = 'delivered')::int8 FROM webhook_subscriptions s JOIN webhook_deliveries d USING (subscription_id) GROUP BY s.name ORDER BY s.name", logger: logger)
            for try await (name, delivered) in rows.decode((String, Int).self) where name != "healthy" { backlog += "\(name) \(delivered) delivered; " }
            return "| \(withFailingReceivers ? "healthy + slow (2 s) + dead" : "healthy only") | \(count) | \(Int(Double(count) / max(last.timeIntervalSince(first), 0.001))) | \(percentile(0.5)) | \(percentile(0.99)) | \(backlog.isEmpty ? "-" : String(backlog.dropLast(2))) |"
        })
        await receiverGroup.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return row
    }
}

/// The whole run in one nonisolated function: its closures capture locals, not main-actor globals.
func benchmark() async throws {
    let arguments = CommandLine.arguments
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 2_000 : 2_000
    let logger = BenchSupport.logger("bench.webhooks")
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let healthyOnly = try await run(events: count, withFailingReceivers: false, http: http, logger: logger)
    let withFailing = try await run(events: count, withFailingReceivers: true, http: http, logger: logger)
    print("| subscribers | events | healthy deliveries/s | healthy p50 ms | healthy p99 ms | others when the healthy one had all |")
    print("|---|---:|---:|---:|---:|---|")
    print(healthyOnly)
    print(withFailing)
    try await http.shutdown().get()
}

try await benchmark()
