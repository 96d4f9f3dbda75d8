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

// Notification benchmark (issue 26): N web orders, each `order.received` (a phone and an e-mail)
// then `order.verified`, published at once; one integrations process renders each order's
// confirmation and hands it to an Aliyun-shaped SMS endpoint in this process and to a real SMTP
// server (aiosmtpd, Deploy/local/mail-sink.py, no TLS on loopback). Prints messages/s per medium
// (first to last arrival) and the delay from the verification's occurredAt to the arrival, p50/p99.
// Settle time 0 and quiet hours off, other settings default.
// Usage: oms-notification-bench [orders=2000]

/// The first instant each order's SMS arrived.
final class Texts: Sendable {
    let state = NIOLockedValueBox([String: Date]())
    func record(_ phone: String) { state.withLockedValue { $0[phone] = $0[phone] ?? Date() } }
    var all: [String: Date] { state.withLockedValue { $0 } }
}

func smsApplication(port: Int, texts: Texts) -> some ApplicationProtocol {
    let router = Router()
    router.post("/") { request, _ -> Response in
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let phone = body.split(separator: "&").first { $0.hasPrefix("PhoneNumbers=") }.map { String($0.dropFirst("PhoneNumbers=".count)) } ?? ""
        texts.record(phone)
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"Code":"OK","Message":"OK","BizId":"bench","RequestId":"bench"}"#)))
        response.headers[.contentType] = "application/json"
        return response
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
}

/// Arrival instants of the mails in `directory`, by recipient (the sink names files by arrival ms).
func mailArrivals(_ directory: URL) -> [String: Date] {
    var found: [String: Date] = [:]
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []) where name.hasSuffix(".json") {
        guard let millis = Double(name.split(separator: "-").first ?? ""),
              let meta = (try? JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)))) as? [String: Any],
              let to = (meta["to"] as? [String])?.first else { continue }
        found[to] = Date(timeIntervalSince1970: millis / 1_000)
    }
    return found
}

func benchmark() async throws {
    let arguments = CommandLine.arguments
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 2_000 : 2_000
    let logger = BenchSupport.logger("bench.notifications")
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let texts = Texts()
    let smsPort = 18_701, smtpPort = 18_725
    let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("notification-bench-\(UUID().uuidString.prefix(8))")
    let sink = Process()
    sink.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["OMS_STACK_PYTHON"] ?? ".oms/venv/bin/python")
    sink.arguments = ["Deploy/local/mail-sink.py", String(smtpPort), maildir.path, maildir.appendingPathComponent("log").path]
    sink.standardOutput = FileHandle.nullDevice
    try sink.run()
    defer { kill(sink.processIdentifier, SIGKILL); try? FileManager.default.removeItem(at: maildir) }
    try await Task.sleep(for: .seconds(2))
    let settings = ["OMS_NOTIFY_SETTLE_MILLISECONDS": "0", "OMS_NOTIFY_QUIET_HOURS": "off", "OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR": "0", "OMS_NOTIFY_POLL_MILLISECONDS": "100",
                    "OMS_SMS_ACCESS_KEY_ID": "bench", "OMS_SMS_ACCESS_KEY_SECRET": "bench-secret", "OMS_SMS_SIGN_NAME": "示例零售",
                    "OMS_SMS_ENDPOINT": "http://127.0.0.1:\(smsPort)/", "OMS_SMTP_HOST": "127.0.0.1", "OMS_SMTP_PORT": String(smtpPort), "OMS_SMTP_TLS": "off",
                    "OMS_SMTP_FROM": "service@shop.example.cn"]
        .merging(ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("OMS_NOTIFY_") }) { _, new in new }
    let receiver = smsApplication(port: smsPort, texts: texts)
    let receiverGroup = ServiceGroup(configuration: .init(services: [receiver], logger: logger))
    let row = try await withThrowingTaskGroup(of: Void.self) { tasks -> String in
        tasks.addTask { try await receiverGroup.run() }
        let service = IntegrationsService(configuration: try IntegrationsConfiguration(environment: settings))
        var verifiedAt: [String: Date] = [:]
        let row = try await BenchSupport.run(service, port: 18_700, extra: settings, http: http, logger: logger, messages: { prefix in
            try (0..<count).flatMap { number -> [KafkaOutgoingMessage] in
                let id = "NB-\(number)", phone = "139" + String(format: "%08d", number)
                let order = Order(orderID: id, channel: .web, channelOrderID: "W-\(id)", customer: Customer(customerKey: "ck-\(number)", name: "顾客", phone: phone, email: "c\(number)@example.com"),
                                  deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 100 号"),
                                  lines: [OrderLine(lineNumber: 1, sku: "SKU-\(number % 50)", quantity: 1, unitPrice: .fen(9_900))], shippingFee: .zero,
                                  payment: Payment(method: .card, reference: "pay-\(number)", paidAmount: .fen(9_900), paidAt: Date()), placedAt: Date())
                let received = try EventEnvelope.make(OrderReceived(order: order, appliedPromotions: [], couponCode: nil, receivedAt: Date()), orderID: id, producer: .intake)
                let verified = try EventEnvelope.make(OrderVerified(orderID: id, score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(), order: order), orderID: id, producer: .risk)
                verifiedAt[phone] = verified.occurredAt
                verifiedAt["c\(number)@example.com"] = verified.occurredAt
                return [received.kafkaMessage(topic: prefix + TopicCatalogue.orders), verified.kafkaMessage(topic: prefix + TopicCatalogue.riskDecisions)]
            }
        }, done: { _ in
            texts.all.count >= count && mailArrivals(maildir).count >= count
        }, report: { _, _ in
            func line(_ medium: String, _ arrivals: [String: Date]) -> String {
                let delays = arrivals.compactMap { key, at in verifiedAt[key].map { at.timeIntervalSince($0) } }.sorted()
                let first = arrivals.values.min() ?? Date(), last = arrivals.values.max() ?? Date()
                func percentile(_ p: Double) -> Int { delays.isEmpty ? 0 : Int(delays[min(delays.count - 1, Int(Double(delays.count) * p))] * 1_000) }
                return "| \(medium) | \(arrivals.count) | \(Int(Double(arrivals.count) / max(last.timeIntervalSince(first), 0.001))) | \(percentile(0.5)) | \(percentile(0.99)) |"
            }
            return line("SMS (Aliyun-shaped endpoint)", texts.all) + "\n" + line("e-mail (aiosmtpd over SMTP)", mailArrivals(maildir))
        })
        await receiverGroup.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return row
    }
    print("| medium | messages | messages/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    print(row)
    try await http.shutdown().get()
}

try await benchmark()
