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
/// endpoints are the services' declared routes (`SuiteAccess.routesByService`), so a new route is
/// fuzzed without editing this.
@Suite("Hostile input: every endpoint answers garbage with a 4xx, never a 500, and stays up", .serialized)
struct HostileInputTests {
    struct Endpoint: Hashable, CustomStringConvertible {
        var service: ServiceName
        var method: String
        var path: String
        /// A POST whose meaning is all in its path (an action on the entity there): for an entity
        /// that does not exist it answers 404 whatever body is sent.
        var bodyless = false
        var description: String { "\(method.uppercased()) \(path)" }
    }

    /// Every route the eight services declare (as their `/openapi.json` lists them), but the
    /// platform's own probes and metrics, which every service serves alike.
    static func endpoints() -> [Endpoint] {
        SuiteAccess.routesByService.flatMap { service, routes in
            routes.filter { !PlatformRoutes.routes.contains($0) || $0.path == "/v1/audit" && service == .intake }.map {
                Endpoint(service: service, method: $0.method.rawValue.lowercased(), path: $0.path, bodyless: $0.method != .get && $0.body == .none)
            }
        }.sorted { ($0.service.rawValue, $0.path, $0.method) < ($1.service.rawValue, $1.path, $1.method) }
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
                                              "segment": "new", "messageType": "shipment.delivered", "language": "en"]
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
            var cases: [(String, [UInt8], [KafkaHeader])] = [
                ("garbage without headers", [0xDE, 0xAD, 0xBE, 0xEF] + pii, []),
                ("event id not a UUID", Array("{}".utf8), headers(eventID: "'; DROP TABLE inbox; --")),
                ("schema version not a number", Array("{}".utf8), headers(version: "one")),
                ("undecodable payload of a handled type", pii, headers()),
                ("a schema version from the future", Array("{}".utf8), headers(version: "99")),
                ("an event type nobody publishes", Array("{}".utf8), headers(type: "order.teleported")),
                ("invalid UTF-8 payload", [0x7B, 0xC3, 0x28, 0xFF, 0x7D], headers()),
            ]
            var withNUL = headers()
            withNUL.append(KafkaHeader(key: "x-note", value: [0x61, 0x00, 0xFF, 0x0A, 0x3D]))
            cases.append(("NUL, invalid UTF-8 and separators in a header", pii, withNUL))
            // Decodable events of the type the service handles, one value made hostile.
            if let valid = try? validEvent(for: service) {
                let json = String(decoding: valid.payload, as: UTF8.self)
                cases.append(("an amount in another currency", Array(json.replacingOccurrences(of: #""currency":"CNY""#, with: #""currency":"USD""#).utf8), valid.kafkaHeaders))
                let huge = try! NSRegularExpression(pattern: #""minorUnits":[0-9]+"#)
                let inflated = huge.stringByReplacingMatches(in: json, range: NSRange(json.startIndex..., in: json), withTemplate: #""minorUnits":\#(Int64.max)"#)
                cases.append(("amounts of Int64.max fen", Array(inflated.utf8), valid.kafkaHeaders))
            }
            for (index, (input, value, headerList)) in cases.enumerated() {
                let key = "FUZZ-\(service.rawValue)-\(index)"
                records.append((service, key, input, KafkaOutgoingMessage(topic: namespace + topic, key: Array(key.utf8), value: value, headers: headerList)))
            }
        }
        return records
    }

    /// A well-formed event of a type `service` handles, carrying an order (so amounts), or nil.
    static func validEvent(for service: ServiceName) throws -> EventEnvelope? {
        let order = InventoryFixtures.order("O-HOSTILE", lines: [("CLO-TEE-BLK-M", 2, 9_900)])
        switch service {
        case .risk, .aftersales: return try AfterSalesFlowTests.received(order).0
        case .inventory: return try InventoryFixtures.verified(order).0
        case .fulfillment: return try FulfillmentFixtures.reserved(order, in: "W1").0
        default: return nil
        }
    }

    static func path(_ template: String, segment: (String) -> String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? segment(String(part.dropFirst())) : String(part)
        }.joined(separator: "/")
    }

    @Test("every route of the eight services, fed malformed, huge, nested, invalid UTF-8 and injection input: no 5xx, no dropped connection, all still ready")
    func fuzzEveryEndpoint() async throws {
        let endpoints = Self.endpoints()
        #expect(endpoints.count >= 85, "found only \(endpoints.count) routes")
        try await withIntakeWorld { world in
            var (intakeService, intakeConfig) = try world.configuration(role: .all)
            intakeService.httpPort = TestPorts.block()
            let intake = try buildApplication(service: IntakeService(configuration: intakeConfig, hasher: intakeService.piiHasher), configuration: intakeService, logger: world.logger)
            let riskPort = intakeService.httpPort + 1
            let insightsPort = TestPorts.block()
            let integrationsPort = TestPorts.block()
            let clients: [ServiceName: EdgeClient] = [.intake: EdgeClient(base: "http://127.0.0.1:\(intakeService.httpPort)", http: EdgeClient.wide),
                                                      .insights: EdgeClient(base: "http://127.0.0.1:\(insightsPort)", http: EdgeClient.wide),
                                                      .integrations: EdgeClient(base: "http://127.0.0.1:\(integrationsPort)", http: EdgeClient.wide)]
            try await world.running([intake, try world.riskApplication(port: riskPort), try world.insightsApplication(port: insightsPort),
                                     try world.integrationsApplication(port: integrationsPort, environment: [:])],
                                    readyAt: Array(clients.values)) {
                try await world.withStages(inventory: true, fulfillment: [:], logistics: LogisticsFlowTests.signingEnvironment, afterSales: [:]) { stages in
                    var byService = clients
                    byService[.risk] = EdgeClient(base: "http://127.0.0.1:\(riskPort)", http: EdgeClient.wide)
                    byService[.inventory] = stages.inventory
                    byService[.fulfillment] = stages.fulfillment
                    byService[.logistics] = stages.logistics
                    byService[.aftersales] = stages.afterSales
                    // Each service serves the API document of exactly the routes declared for it.
                    for (service, routes) in SuiteAccess.routesByService {
                        let document = try await byService[service]!.send(.GET, "/openapi.json", anonymous: true)
                        let served = (document.json["paths"] as? [String: [String: Any]] ?? [:]).flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } }
                        #expect(Set(served) == Set(routes.map { "\($0.method.rawValue) \(OpenAPIDocument.templated($0.path))" }), "\(service.rawValue): \(document.status)")
                    }
                    var tried = 0
                    var failures: [String] = []
                    var statuses: [Int: Int] = [:]
                    var bodyAnswers: [Endpoint: Set<Int>] = [:]
                    func attempt(_ endpoint: Endpoint, _ path: String, _ body: [UInt8]?, _ input: String, bodyCase: Bool = false) async {
                        tried += 1
                        do {
                            let reply = try await byService[endpoint.service]!.send(HTTPMethod(rawValue: endpoint.method.uppercased()), path, body: body,
                                                                                    headers: ["X-User-Id": "fuzz", "Idempotency-Key": "fuzz-\(tried)"])
                            statuses[reply.status, default: 0] += 1
                            if bodyCase { bodyAnswers[endpoint, default: []].insert(reply.status) }
                            if reply.status >= 500 { failures.append("\(endpoint) [\(input)] -> \(reply.status) \(reply.text.prefix(200))") }
                        } catch {
                            failures.append("\(endpoint) [\(input)] -> \(error)")
                        }
                    }
                    for endpoint in endpoints {
                        // Pick tasks are numbered: a text id is a 404 before the body is read.
                        let plausiblePath = Self.path(endpoint.path) { endpoint.path.hasPrefix("/v1/fulfillment/pick-tasks/") ? "1" : Self.plausible[$0] ?? "X-1" }
                        if endpoint.method == "get" {
                            for query in Self.hostileQueries { await attempt(endpoint, plausiblePath + query, nil, "query \(query.prefix(40))") }
                        } else {
                            for (name, bytes) in Self.bodies { await attempt(endpoint, plausiblePath, bytes, name, bodyCase: true) }
                        }
                        if endpoint.path.contains(":") {
                            for segment in Self.hostileSegments {
                                await attempt(endpoint, Self.path(endpoint.path) { _ in segment }, endpoint.method == "get" ? nil : Array("{}".utf8), "segment \(segment.prefix(30))")
                            }
                        }
                    }
                    // An unknown channel and an unknown route are 404s, not crashes.
                    await attempt(Endpoint(service: .intake, method: "post", path: "/v1/channels/teleport/orders"), "/v1/channels/teleport/orders", Array("{}".utf8), "unknown channel")
                    await attempt(Endpoint(service: .intake, method: "get", path: "/v1/nowhere"), "/v1/nowhere", nil, "unknown route")
                    print("hostile input: \(tried) requests against \(endpoints.count) routes of 8 services, \(failures.count) answered 5xx or dropped; statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
                    #expect(failures.isEmpty, "\(failures.count) of \(tried) inputs failed:\n\(failures.prefix(40).joined(separator: "\n"))")
                    // Garbage must have reached each route's own parsing and checks: a route that
                    // answered every body with 401/403/404/405 was never tested by them.
                    let unreached = bodyAnswers.filter { endpoint, answers in
                        answers.isDisjoint(with: [400, 413, 422]) && !endpoint.bodyless
                    }.map { "\($0.key) answered only \($0.value.sorted())" }.sorted()
                    #expect(unreached.isEmpty, "routes the hostile bodies never reached:\n\(unreached.joined(separator: "\n"))")
                    for (service, client) in byService {
                        #expect(try await client.send(.GET, "/health/ready").status == 200, "\(service.rawValue) is no longer ready")
                    }
                    // A carrier whose per-kg rate is near Int64.max would overflow every quote.
                    var carrier = try #require((try await stages.logistics!.send(.GET, "/v1/logistics/carriers").json["carriers"] as? [[String: Any]])?.first)
                    var rates = carrier["rates"] as? [String: Any] ?? [:]
                    rates["extraPerKgFen"] = (rates["extraPerKgFen"] as? [String: Any] ?? [:]).mapValues { _ in Int64.max }
                    carrier["rates"] = rates
                    let overflowing = try await stages.logistics!.send(.PUT, "/v1/logistics/carriers/\(carrier["code"] as? String ?? "-")", body: Array(try JSONSerialization.data(withJSONObject: carrier)))
                    #expect(overflowing.status == 422 && overflowing.text.contains("\"rates\""), "\(overflowing.status) \(overflowing.text.prefix(300))")

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

    /// One valid example with one hostile value put in: the JSON decodes and the caller may use the
    /// route, so the answer must come from the route's own checks, naming the field.
    struct HostileValue: Sendable {
        var name: String
        var method: HTTPMethod = .POST
        var path: String
        var body: [UInt8]
        var status: Int
        var field: String?
    }

    static func edited(_ channel: String, _ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example(channel))) as! [String: Any]
        change(&object)
        return Array(try JSONSerialization.data(withJSONObject: object))
    }

    static func hostileValues() throws -> [HostileValue] {
        let max = Int64.max, min = Int64.min
        let manyLines = (0..<10_000).map { ["sku": "CLO-TEE-BLK-M", "quantity": 1 + $0 % 3] as [String: Any] }
        return [
            HostileValue(name: "web: paid amount Int64.max", path: "/v1/channels/web/orders",
                         body: try edited("web") { o in o["payment"] = (o["payment"] as! [String: Any]).merging(["amountFen": max]) { $1 } },
                         status: 422, field: "payment.amountFen"),
            HostileValue(name: "web: quantity Int64.max", path: "/v1/channels/web/orders",
                         body: try edited("web") { o in o["lines"] = [["sku": "CLO-TEE-BLK-M", "quantity": max]] }, status: 422, field: "lines[0].quantity"),
            HostileValue(name: "web: a 10,000-line order", path: "/v1/channels/web/orders",
                         body: try edited("web") { o in o["lines"] = manyLines }, status: 422, field: "lines"),
            HostileValue(name: "pos: tender Int64.min", path: "/v1/channels/pos/orders",
                         body: try edited("pos") { o in o["tender"] = (o["tender"] as! [String: Any]).merging(["amountFen": min]) { $1 } },
                         status: 422, field: "tender.amountFen"),
            HostileValue(name: "phone: prepaid Int64.max", path: "/v1/channels/phone/orders",
                         body: try edited("phone") { o in o["payment"] = ["method": "card", "reference": "P-1", "amountFen": max] },
                         status: 422, field: "payment.amountFen"),
            HostileValue(name: "marketplace: unit price near Int64.max yuan", path: "/v1/channels/marketplace/orders",
                         body: try edited("marketplace") { o in
                             var items = o["items"] as! [[String: Any]]
                             items[0]["price"] = "92233720368547758.07"
                             o["items"] = items
                         }, status: 422, field: "items[0].price"),
            HostileValue(name: "catalogue: list price Int64.max", method: .PUT, path: "/v1/admin/products/HOSTILE-1",
                         body: Array(#"{"name":"x","category":"x","listPriceFen":\#(max),"weightGrams":1,"volumeCm3":1}"#.utf8), status: 422, field: "listPriceFen"),
            HostileValue(name: "promotion: threshold Int64.max", method: .PUT, path: "/v1/admin/promotions/HOSTILE-1",
                         body: Array(#"{"name":"x","type":"spendThreshold","thresholdFen":\#(max),"reductionFen":\#(max)}"#.utf8), status: 422, field: "thresholdFen"),
            HostileValue(name: "coupon: amount off Int64.max", path: "/v1/admin/coupons",
                         body: Array(#"{"codes":["HOSTILE-1"],"amountOffFen":\#(max)}"#.utf8), status: 422, field: "amountOffFen"),
            HostileValue(name: "coupon: minimum spend Int64.max", path: "/v1/admin/coupons",
                         body: Array(#"{"codes":["HOSTILE-2"],"amountOffFen":100,"minimumSpendFen":\#(max)}"#.utf8), status: 422, field: "minimumSpendFen"),
        ]
    }

    @Test("valid JSON carrying hostile values (amounts near Int64.max, 10,000 lines, a fake sealed name) reaches each route's checks: the documented 422 naming the field, or an order whose name reads back")
    func hostileValuesReachValidation() async throws {
        try await withIntakeWorld { world in
            try await IntakeEndToEndTests().withIntake(world) { edge in
                for value in try Self.hostileValues() {
                    let reply = try await edge.send(value.method, value.path, body: value.body)
                    let fields = ((reply.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                    #expect(reply.status == value.status, "\(value.name): \(reply.status) \(reply.text.prefix(300))")
                    if let field = value.field { #expect(fields.contains(field), "\(value.name): fields \(fields)") }
                }
                // A name that looks like a sealed value is sealed like any other and reads back as sent.
                let fake = "pii:v1:dev:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                let accepted = try await edge.send(.POST, "/v1/channels/web/orders", body: try Self.edited("web") { o in
                    o["customer"] = (o["customer"] as! [String: Any]).merging(["name": fake]) { $1 }
                    o["orderNumber"] = "W-FAKE-SEALED"
                })
                #expect(accepted.status == 202, "\(accepted.text)")
                let id = accepted.json["orderId"] as? String ?? "-"
                let received = try await world.orderEvents { $0.contains { $0.orderID == id } }.first { $0.orderID == id }
                #expect(try received?.decode(OrderReceived.self).order.customer.name == fake)
                let view = try await edge.send(.GET, "/v1/orders/\(id)")
                #expect(view.status == 200 && !view.text.contains(fake), "\(view.status) \(view.text.prefix(300))")
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE body->'customer'->>'name' = '\(fake)'") == 0)
            }
        }
    }
}
