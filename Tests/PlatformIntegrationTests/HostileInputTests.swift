import AsyncHTTPClient
import Foundation
import IntakeService
import NIOHTTP1
import OMSDomain
import OMSKafka
import OMSOps
import OMSPlatform
import Testing

/// Hostile input against every HTTP endpoint of every service, all running on real PostgreSQL and
/// the broker: malformed, truncated, wrongly typed, huge, deeply nested, invalid UTF-8, overflowing
/// and injection-laden bodies, path segments and query strings. Every answer must be a 2xx-4xx
/// (never a 5xx or a dropped connection) and every service must still be ready afterwards. The
/// endpoints are read from the services' route files, so a new route is fuzzed without editing this.
@Suite("Hostile input: every endpoint answers garbage with a 4xx, never a 500, and stays up", .serialized)
struct HostileInputTests {
    struct Endpoint: Hashable, CustomStringConvertible {
        var service: String
        var method: String
        var path: String
        var description: String { "\(method.uppercased()) \(path)" }
    }

    /// Every `router.<method>("<path>"` in Services/<Name>/Sources, by service directory.
    static func endpoints() throws -> [Endpoint] {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pattern = try NSRegularExpression(pattern: #"router\.(get|post|put|delete|patch)\("([^"]+)""#)
        var found: Set<Endpoint> = []
        for service in ["Intake", "Risk", "Inventory", "Fulfillment", "Logistics", "AfterSales", "Insights"] {
            let sources = repo.appendingPathComponent("Services/\(service)/Sources")
            for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let method = String(text[Range(match.range(at: 1), in: text)!])
                    let path = String(text[Range(match.range(at: 2), in: text)!])
                    // An interpolated segment (transfer steps) stands for each of its values.
                    for expanded in path.contains("\\(") ? ["ship", "receive", "cancel"].map { path.replacingOccurrences(of: #"\(step)"#, with: $0) } : [path] {
                        found.insert(Endpoint(service: service, method: method, path: expanded))
                    }
                }
            }
        }
        return found.sorted { ($0.service, $0.path, $0.method) < ($1.service, $1.path, $1.method) }
    }

    /// Bodies no client should send.
    static let bodies: [(name: String, bytes: [UInt8])] = {
        var list: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated object", Array(#"{"orderId":"O-1","lines":[{"sku":"#.utf8)),
            ("truncated string", Array(#"{"a":"#.utf8)),
            ("array instead of object", Array("[]".utf8)),
            ("null", Array("null".utf8)),
            ("bare string", Array(#""x""#.utf8)),
            ("overflowing number", Array("123456789012345678901234567890".utf8)),
            ("wrong types", Array(#"{"orderId":1,"lines":"many","quantity":"ten","rating":"five","warehouseId":[],"sku":{},"automatic":"yes","items":7}"#.utf8)),
            ("negative and overflowing money", Array(#"{"orderId":"O-1","quantity":-5,"priceFen":-1,"amountFen":99999999999999999999999,"unitPriceFen":1e400,"costPerParcelFen":-9223372036854775808,"lines":[{"sku":"CLO-TEE-BLK-M","quantity":-1}]}"#.utf8)),
            ("injection strings", Array(#"{"orderId":"' OR 1=1; DROP TABLE orders; --","sku":"<script>alert(1)</script>","name":"${jndi:ldap://x}","channel":"teleport","reason":"../../etc/passwd","note":"=cmd|' /C calc'!A0"}"#.utf8)),
            ("NUL and control characters", Array("{\"orderId\":\"O\\u0000-1\",\"note\":\"\\u0007\\u001b[31m\"}".utf8)),
            ("invalid UTF-8", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]),
            ("deep nesting", Array((String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)).utf8)),
            ("deep object nesting", Array((String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000)).utf8)),
            ("long string field", Array(#"{"orderId":"\#(String(repeating: "x", count: 200_000))"}"#.utf8)),
        ]
        // Bigger than any server accepts (the services read at most 2 MiB).
        list.append(("3 MiB body", Array(#"{"note":""#.utf8) + [UInt8](repeating: 0x61, count: 3 << 20) + Array(#""}"#.utf8)))
        return list
    }()

    /// Path segment values: one plausible (so bodies reach their checks), the rest hostile.
    static let plausible: [String: String] = ["id": "O-FUZZ-1", "sku": "CLO-TEE-BLK-M", "code": "SH1", "channel": "web", "po": "PO-1", "tracking": "SF0000000001",
                                              "segment": "new"]
    static let hostileSegments = ["..%2F..%2Fetc%2Fpasswd", "%00", String(repeating: "Z", count: 4_000), "'%3B%20DROP%20TABLE%20orders%3B--", "%E8%AE%A2%F0%9F%9A%80", "-1", "99999999999999999999"]
    static let hostileQueries = ["", "?by=%00&format=xml", "?from=9999-99-99&to=0000-00-00&limit=-1&beforeId=99999999999999999999",
                                 "?asOf=yesterday&status=%27%20OR%201%3D1&olderThanMinutes=-5&overdue=maybe",
                                 "?skus=\(String(repeating: "A,", count: 3_000))&phone=%27%20OR%201%3D1--&channel=teleport&channelOrderId=%00",
                                 "?orderId=%FF%FE&warehouse=%2E%2E&team=nobody&category=%3Cscript%3E&rule=x&sku=" + String(repeating: "s", count: 2_000)]

    /// For each consuming service, records it must dead-letter (with the reason), on a topic it
    /// reads, typed as an event it handles where a type is needed.
    static func hostileRecords(namespace: String) -> [(service: ServiceName, key: String, input: String, message: KafkaOutgoingMessage)] {
        let targets: [(ServiceName, String, String)] = [
            (.intake, TopicCatalogue.riskDecisions, OrderVerified.eventType), (.risk, TopicCatalogue.orders, OrderReceived.eventType),
            (.inventory, TopicCatalogue.riskDecisions, OrderVerified.eventType), (.fulfillment, TopicCatalogue.inventoryEvents, InventoryReserved.eventType),
            (.logistics, TopicCatalogue.fulfillmentEvents, FulfillmentPacked.eventType), (.aftersales, TopicCatalogue.orders, OrderReceived.eventType),
            (.insights, TopicCatalogue.shipments, ShipmentDispatched.eventType),
        ]
        var records: [(ServiceName, String, String, KafkaOutgoingMessage)] = []
        for (service, topic, type) in targets {
            func headers(type: String = type, version: String = "1", eventID: String = UUID().uuidString.lowercased()) -> [KafkaHeader] {
                [KafkaHeader(key: EventHeader.eventID, text: eventID), KafkaHeader(key: EventHeader.eventType, text: type),
                 KafkaHeader(key: EventHeader.schemaVersion, text: version), KafkaHeader(key: EventHeader.occurredAt, text: Timestamps.format(Date())),
                 KafkaHeader(key: EventHeader.correlationID, text: UUID().uuidString.lowercased()), KafkaHeader(key: EventHeader.producer, text: "intake")]
            }
            let pii = Array(#"{"orderId":"x","customer":{"name":"张三丰","phone":"13912345678"},"lines":"#.utf8)
            let cases: [(String, [UInt8], [KafkaHeader])] = [
                ("garbage without headers", [0xDE, 0xAD, 0xBE, 0xEF] + pii, []),
                ("event id not a UUID", Array("{}".utf8), headers(eventID: "'; DROP TABLE inbox; --")),
                ("schema version not a number", Array("{}".utf8), headers(version: "one")),
                ("undecodable payload of a handled type", pii, headers()),
                ("a schema version from the future", Array("{}".utf8), headers(version: "99")),
                ("an event type nobody publishes", Array("{}".utf8), headers(type: "order.teleported")),
                ("invalid UTF-8 payload", [0x7B, 0xC3, 0x28, 0xFF, 0x7D], headers()),
            ]
            for (index, (input, value, headerList)) in cases.enumerated() {
                let key = "FUZZ-\(service.rawValue)-\(index)"
                records.append((service, key, input, KafkaOutgoingMessage(topic: namespace + topic, key: Array(key.utf8), value: value, headers: headerList)))
            }
        }
        return records
    }

    static func path(_ template: String, segment: (String) -> String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? segment(String(part.dropFirst())) : String(part)
        }.joined(separator: "/")
    }

    @Test("every route of the seven services, fed malformed, huge, nested, invalid UTF-8 and injection input: no 5xx, no dropped connection, all still ready")
    func fuzzEveryEndpoint() async throws {
        let endpoints = try Self.endpoints()
        #expect(endpoints.count >= 80, "found only \(endpoints.count) routes")
        try await withIntakeWorld { world in
            var (intakeService, intakeConfig) = try world.configuration(role: .all)
            intakeService.httpPort = TestPorts.block()
            let intake = try buildApplication(service: IntakeService(configuration: intakeConfig), configuration: intakeService, logger: world.logger)
            let riskPort = intakeService.httpPort + 1
            let insightsPort = TestPorts.block()
            let clients = ["Intake": EdgeClient(base: "http://127.0.0.1:\(intakeService.httpPort)", http: EdgeClient.wide),
                           "Insights": EdgeClient(base: "http://127.0.0.1:\(insightsPort)", http: EdgeClient.wide)]
            try await world.running([intake, try world.riskApplication(port: riskPort), try world.insightsApplication(port: insightsPort)],
                                    readyAt: Array(clients.values)) {
                try await world.withStages(inventory: true, fulfillment: [:], logistics: LogisticsFlowTests.signingEnvironment, afterSales: [:]) { stages in
                    var byService = clients
                    byService["Risk"] = EdgeClient(base: "http://127.0.0.1:\(riskPort)", http: EdgeClient.wide)
                    byService["Inventory"] = stages.inventory
                    byService["Fulfillment"] = stages.fulfillment
                    byService["Logistics"] = stages.logistics
                    byService["AfterSales"] = stages.afterSales
                    var tried = 0
                    var failures: [String] = []
                    var statuses: [Int: Int] = [:]
                    func attempt(_ endpoint: Endpoint, _ path: String, _ body: [UInt8]?, _ input: String) async {
                        tried += 1
                        do {
                            let reply = try await byService[endpoint.service]!.send(HTTPMethod(rawValue: endpoint.method.uppercased()), path, body: body,
                                                                                    headers: ["X-User-Id": "fuzz", "Idempotency-Key": "fuzz-\(tried)"])
                            statuses[reply.status, default: 0] += 1
                            if reply.status >= 500 { failures.append("\(endpoint) [\(input)] -> \(reply.status) \(reply.text.prefix(200))") }
                        } catch {
                            failures.append("\(endpoint) [\(input)] -> \(error)")
                        }
                    }
                    for endpoint in endpoints {
                        let plausiblePath = Self.path(endpoint.path) { Self.plausible[$0] ?? "X-1" }
                        if endpoint.method == "get" {
                            for query in Self.hostileQueries { await attempt(endpoint, plausiblePath + query, nil, "query \(query.prefix(40))") }
                        } else {
                            for (name, bytes) in Self.bodies { await attempt(endpoint, plausiblePath, bytes, name) }
                        }
                        if endpoint.path.contains(":") {
                            for segment in Self.hostileSegments {
                                await attempt(endpoint, Self.path(endpoint.path) { _ in segment }, endpoint.method == "get" ? nil : Array("{}".utf8), "segment \(segment.prefix(30))")
                            }
                        }
                    }
                    // An unknown channel and an unknown route are 404s, not crashes.
                    await attempt(Endpoint(service: "Intake", method: "post", path: "/v1/channels/teleport/orders"), "/v1/channels/teleport/orders", Array("{}".utf8), "unknown channel")
                    await attempt(Endpoint(service: "Intake", method: "get", path: "/v1/nowhere"), "/v1/nowhere", nil, "unknown route")
                    print("hostile input: \(tried) requests against \(endpoints.count) routes of 7 services, \(failures.count) answered 5xx or dropped; statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
                    #expect(failures.isEmpty, "\(failures.count) of \(tried) inputs failed:\n\(failures.prefix(40).joined(separator: "\n"))")
                    for (service, client) in byService {
                        #expect(try await client.send(.GET, "/health/ready").status == 200, "\(service) is no longer ready")
                    }

                    // The consumers: garbage, missing or invalid headers, undecodable payloads, unknown
                    // versions and types on each service's topics all end in that service's dead letters.
                    let messages = Self.hostileRecords(namespace: world.prefix)
                    var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: world.environment.brokers, clientID: "test-\(world.id)-fuzz"))
                    configuration.lingerMilliseconds = 1
                    let producer = try KafkaProducer(configuration: configuration, logger: world.logger)
                    for result in try await producer.send(batch: messages.map(\.message)) { _ = try result.get() }
                    await producer.shutdown()
                    let desk = DeadLetterDesk(brokers: world.environment.brokers, namespace: TopicNamespace(prefix: world.prefix), logger: world.logger)
                    var missing: [String] = []
                    let lettered = try await world.eventually(timeout: .seconds(90)) {
                        let entries = try await desk.entries(of: ServiceName.allCases)
                        missing = messages.filter { record in
                            !entries.contains { $0.service == record.service && $0.orderKey == record.key && !$0.reason.isEmpty }
                        }.map { "\($0.service.rawValue) \($0.key): \($0.input)" }
                        return missing.isEmpty
                    }
                    #expect(lettered, "not dead-lettered: \(missing)")
                    let previews = try await desk.entries(of: ServiceName.allCases).filter { $0.orderKey?.hasPrefix("FUZZ-") == true }
                    #expect(!previews.isEmpty && previews.allSatisfy { !$0.preview.contains("13912345678") && !$0.preview.contains("张三丰") })
                    print("hostile input: \(messages.count) hostile records on the services' topics, \(previews.count) dead-letter entries, none with raw PII")
                    for (service, client) in byService {
                        #expect(try await client.send(.GET, "/health/ready").status == 200, "\(service) is no longer ready after the hostile records")
                    }
                }
            }
        }
    }
}
