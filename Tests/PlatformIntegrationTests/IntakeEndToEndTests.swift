import AsyncHTTPClient
import Foundation
import OMSDemo
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSKafka
import OMSPlatform
import Testing

/// Intake on real PostgreSQL and Kafka: channel payload in at the HTTP edge, `order.received`
/// out on `oms.orders`, status and lookups back over HTTP.
@Suite("Intake end to end: edge, workers, status", .serialized)
struct IntakeEndToEndTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/intake/examples")

    static func example(_ channel: String) throws -> [UInt8] {
        Array(try Data(contentsOf: examples.appendingPathComponent("\(channel).json")))
    }

    /// Runs one all-in-one intake process (edge + workers + status) and hands its HTTP client over.
    func withIntake(_ world: IntakeWorld, _ body: @Sendable @escaping (EdgeClient) async throws -> Void) async throws {
        let app = try world.application(role: .all)
        try await app.test(.live) { client in
            let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
            try await body(edge)
        }
    }

    @Test("each channel's documented example becomes order.received with the right total; status and lookups answer")
    func everyChannel() async throws {
        try await withIntakeWorld { world in
            try await withIntake(world) { edge in
                let expected: [String: Int64] = ["pos": 17_820, "web": 34_510, "marketplace": 22_790, "miniprogram": 22_740, "phone": 17_800]
                var orderIDs: [String: String] = [:]
                for channel in expected.keys.sorted() {
                    let reply = try await edge.send(.POST, "/v1/channels/\(channel)/orders", body: try Self.example(channel))
                    #expect(reply.status == 202, "\(channel): \(reply.text)")
                    let id = reply.json["orderId"] as? String ?? ""
                    #expect(OrderNumber.isWellFormed(id))
                    #expect(reply.json["statusUrl"] as? String == "/v1/orders/\(id)")
                    orderIDs[channel] = id
                }
                let events = try await world.orderEvents { $0.count >= 5 }
                #expect(events.count == 5)
                for (channel, total) in expected {
                    let event = events.first { $0.orderID == orderIDs[channel] }
                    #expect(event?.type == OrderReceived.eventType, "\(channel)")
                    let received = try event.map { try $0.decode(OrderReceived.self) }
                    #expect(received?.order.total == .fen(total), "\(channel)")
                    #expect(received?.order.channel.rawValue == channel)
                }
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'received'") == 5 })
                // Sealed with the ring of intake's configuration (key t1), not the process environment's
                // (the till sale has no customer name).
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE body->'customer'->>'name' LIKE 'pii:v1:t1:%'") == 4)
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE body->'customer'->>'name' <> ''") == 4)

                let web = try await edge.send(.GET, "/v1/orders/\(orderIDs["web"]!)")
                #expect(web.status == 200)
                #expect(web.json["status"] as? String == "received")
                #expect((web.json["totals"] as? [String: Any])?["totalFen"] as? Int == 34_510)
                #expect(web.json["customerPhone"] as? String == "139****5678")
                #expect(!web.text.contains("13912345678") && !web.text.contains("世纪大道"))
                #expect((web.json["appliedPromotions"] as? [[String: Any]])?.count == 2)

                let byPhone = try await edge.send(.GET, "/v1/orders?phone=13912345678")
                #expect(((byPhone.json["orders"] as? [[String: Any]]) ?? []).map { $0["orderId"] as? String } == [orderIDs["web"]])
                let byChannel = try await edge.send(.GET, "/v1/orders?channel=marketplace&channelOrderId=tmall:T20261111000001")
                #expect(((byChannel.json["orders"] as? [[String: Any]]) ?? []).first?["orderId"] as? String == orderIDs["marketplace"])
                let badPhone = try await edge.send(.GET, "/v1/orders?phone=123")
                #expect(badPhone.status == 422)
                #expect(try await edge.send(.GET, "/v1/orders/OMS000000-NOSUCHORDER0").status == 404)
            }
        }
    }

    @Test("duplicates return the same order; a changed payload or a key reused within its channel is a 409 (another channel may use it); bad input is a 4xx naming the field")
    func duplicatesAndBadInput() async throws {
        try await withIntakeWorld { world in
            try await withIntake(world) { edge in
                let web = try Self.example("web")
                let first = try await edge.send(.POST, "/v1/channels/web/orders", body: web, headers: ["Idempotency-Key": "k-1"])
                let again = try await edge.send(.POST, "/v1/channels/web/orders", body: web, headers: ["Idempotency-Key": "k-1"])
                let noKey = try await edge.send(.POST, "/v1/channels/web/orders", body: web)
                #expect(first.status == 202 && again.status == 202 && noKey.status == 202)
                #expect(again.json["orderId"] as? String == first.json["orderId"] as? String)
                #expect(noKey.json["orderId"] as? String == first.json["orderId"] as? String)
                #expect(again.headers["idempotent-replayed"] == "true")

                var changed = try JSONSerialization.jsonObject(with: Data(web)) as! [String: Any]
                changed["shippingService"] = "express"
                let changedBody = Array(try JSONSerialization.data(withJSONObject: changed))
                let conflict = try await edge.send(.POST, "/v1/channels/web/orders", body: changedBody)
                #expect(conflict.status == 409)
                #expect((conflict.json["error"] as? [String: Any])?["code"] as? String == "duplicate_with_different_payload")

                // Keys are each channel's own: the phone desk's "k-1" is not the web shop's.
                let phone = try Self.example("phone")
                let otherChannel = try await edge.send(.POST, "/v1/channels/phone/orders", body: phone, headers: ["Idempotency-Key": "k-1"])
                #expect(otherChannel.status == 202, "\(otherChannel.text)")
                #expect(otherChannel.json["orderId"] as? String != first.json["orderId"] as? String)
                var second = try JSONSerialization.jsonObject(with: Data(web)) as! [String: Any]
                second["orderNumber"] = "W-second"
                let reused = try await edge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: second)), headers: ["Idempotency-Key": "k-1"])
                #expect(reused.status == 409)
                #expect((reused.json["error"] as? [String: Any])?["code"] as? String == "idempotency_key_reused")

                var invalid = try JSONSerialization.jsonObject(with: Data(web)) as! [String: Any]
                invalid["orderNumber"] = "W-other"
                var customer = invalid["customer"] as! [String: Any]
                customer["phone"] = "1234"
                invalid["customer"] = customer
                let unprocessable = try await edge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: invalid)))
                #expect(unprocessable.status == 422)
                let fields = ((unprocessable.json["error"] as? [String: Any])?["fields"] as? [[String: String]]) ?? []
                #expect(fields.map { $0["field"] } == ["customer.phone"])
                #expect(!unprocessable.text.contains("1234\""))

                let truncated = try await edge.send(.POST, "/v1/channels/web/orders", body: Array(web.prefix(40)))
                #expect(truncated.status == 400)
                let wrongType = try await edge.send(.POST, "/v1/channels/pos/orders", body: Array(#"{"storeId": 7}"#.utf8))
                #expect(wrongType.status == 400)
                #expect(wrongType.text.contains("storeId"))
                // No channel's token covers an unknown channel: refused before the route (403).
                let unknown = try await edge.send(.POST, "/v1/channels/fax/orders", body: web,
                                                  headers: ["Authorization": "Bearer \(TestCredentials.token(.channel, channel: "web"))"])
                #expect(unknown.status == 403)
                #expect(unknown.text.contains("channel_not_permitted"))

                // Exactly two orders came of all that: the web one and the phone desk's. Refused
                // requests never stored a submission; once both are orders, intake has committed
                // every event it will write about them.
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).submissions") == 2)
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders") == 2 })
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).outbox WHERE topic = '\(world.topic(TopicCatalogue.orders))'") == 2)
                #expect(try await world.orderEvents { $0.count >= 2 }.count == 2)
            }
        }
    }

    @Test("a single-use coupon wins once when two orders race for it; the loser is rejected with the reason")
    func racingCoupon() async throws {
        try await withIntakeWorld { world in
            try await withIntake(world) { edge in
                let issue = try await edge.send(.POST, "/v1/admin/coupons", body: Array(#"{"codes":["RACE-1"],"amountOffFen":2000}"#.utf8))
                #expect(issue.status == 201)
                let factory = DemoOrderFactory()
                let coupon = IssuedCoupon(coupon: Coupon(code: "RACE-1", value: .amountOff(.fen(2_000))), expiresAt: nil)
                // Orders that price above the coupon, built until two are found.
                var orders: [DemoOrderFactory.Generated] = []
                var n = 0
                while orders.count < 2 {
                    if let order = try? factory.webOrder(run: world.id, number: n, coupon: coupon) { orders.append(order) }
                    n += 1
                }
                let replies = try await withThrowingTaskGroup(of: EdgeClient.Reply.self) { group in
                    for order in orders { group.addTask { try await edge.send(.POST, "/v1/channels/web/orders", body: order.body) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(replies.allSatisfy { $0.status == 202 })
                let events = try await world.orderEvents { $0.count >= 2 }
                #expect(events.map(\.type).sorted() == [OrderReceived.eventType, OrderRejected.eventType])
                let rejected = try events.first { $0.type == OrderRejected.eventType }.map { try $0.decode(OrderRejected.self) }
                #expect(rejected?.reasons.map(\.code) == ["coupon_already_used"])
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).coupon_redemptions") == 1)
            }
        }
    }

    @Test("a raw order the workers cannot read is dead-lettered with the reason (PII masked) and the next order still flows")
    func poisonRawOrder() async throws {
        try await withIntakeWorld { world in
            try await withIntake(world) { edge in
                struct Garbage: DomainEvent {
                    static let eventType = RawOrderSubmitted.eventType
                    static let schemaVersion = 1
                    var receiver_mobile = "13812345678"
                }
                let poison = try EventEnvelope.make(Garbage(), orderID: "OMS261111-POISON000000", producer: .intake)
                try await world.publish([(poison, TopicCatalogue.intakeRaw)])
                let reply = try await edge.send(.POST, "/v1/channels/phone/orders", body: try Self.example("phone"))
                #expect(reply.status == 202)
                let events = try await world.orderEvents { $0.count >= 1 }
                #expect(events.map(\.type) == [OrderReceived.eventType])

                var configuration = KafkaConsumerConfiguration(client: KafkaClientConfiguration(bootstrapServers: world.environment.brokers, clientID: "dlq-reader"),
                                                               groupID: "\(world.prefix)dlq-reader")
                configuration.sessionTimeoutMilliseconds = 6_000
                let consumer = try KafkaConsumer(configuration: configuration, logger: world.logger)
                try consumer.subscribe(topics: [world.topic(ServiceName.intake.deadLetterTopic)])
                var records: [KafkaRecord] = []
                let deadline = ContinuousClock.now + .seconds(30)
                while records.isEmpty, ContinuousClock.now < deadline {
                    records += try await consumer.poll(maxMessages: 10, timeout: .milliseconds(200))
                }
                await consumer.close()
                #expect(records.count == 1)
                let reason = records.first?.header(EventHeader.dlqError) ?? ""
                #expect(reason.contains("undecodable raw order"))
                #expect(!reason.contains("13812345678"))
                #expect(records.first?.header(EventHeader.dlqOriginalTopic) == world.topic(TopicCatalogue.intakeRaw))
            }
        }
    }

    @Test("catalog admin: upsert and read a product; a barcode of another SKU is refused and nothing is saved")
    func catalogAdmin() async throws {
        try await withIntakeWorld { world in
            try await withIntake(world) { edge in
                let taken = DemoCatalog.products[0].barcodes[0]
                let clash = #"{"name":"测试杯","category":"home","barcodes":["\#(taken)"],"listPriceFen":1990,"weightGrams":300,"volumeCm3":900}"#
                let refused = try await edge.send(.PUT, "/v1/admin/products/HOM-TEST-1", body: Array(clash.utf8))
                #expect(refused.status == 409)
                #expect(refused.text.contains("code_in_use"))
                #expect(try await edge.send(.GET, "/v1/admin/products/HOM-TEST-1").status == 404)

                let barcode = DemoCatalog.barcode(9_999)
                let valid = #"{"name":"测试杯","category":"home","barcodes":["\#(barcode)"],"outerIds":{"marketplace":"TB999999"},"listPriceFen":1990,"weightGrams":300,"volumeCm3":900,"handling":{"fragile":true,"liquid":false,"valuable":false,"perishable":false}}"#
                #expect(try await edge.send(.PUT, "/v1/admin/products/HOM-TEST-1", body: Array(valid.utf8)).status == 200)
                let read = try await edge.send(.GET, "/v1/admin/products/HOM-TEST-1")
                #expect(read.json["listPriceFen"] as? Int == 1_990)
                #expect(read.json["barcodes"] as? [String] == [barcode])
                #expect((read.json["outerIds"] as? [String: String])?["marketplace"] == "TB999999")

                let invalid = #"{"name":"","category":"home","barcodes":["123"],"listPriceFen":-1,"weightGrams":0,"volumeCm3":1}"#
                let rejected = try await edge.send(.PUT, "/v1/admin/products/HOM-TEST-2", body: Array(invalid.utf8))
                #expect(rejected.status == 422)
                let fields = Set((((rejected.json["error"] as? [String: Any])?["fields"] as? [[String: String]]) ?? []).compactMap { $0["field"] })
                #expect(fields == ["name", "barcodes[0]", "listPriceFen", "weightGrams"])
            }
        }
    }

    @Test("two transactions redeeming one coupon at the same moment: exactly one commits it")
    func couponRaceInTheDatabase() async throws {
        try await withIntakeWorld { world in
            _ = try await Migrator.migrate(client: world.client, schema: world.schema, migrations: IntakeServiceMigrations.all(seedDemoCatalog: true), logger: world.logger)
            try await world.client.query("INSERT INTO coupons (code, definition) VALUES ('DB-RACE', '{}')", logger: world.logger)
            let database = ServiceDatabase(client: world.client, service: .intake, schema: world.schema)
            let winners = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                for order in ["A", "B", "C", "D"] {
                    group.addTask {
                        try await database.transaction(logger: world.logger) { tx in
                            try await CatalogStore.redeem([(code: "DB-RACE", orderID: order)], on: tx.connection, logger: tx.logger)
                        }
                    }
                }
                return try await group.reduce(into: [Set<String>]()) { $0.append($1) }
            }
            #expect(winners.filter { !$0.isEmpty }.count == 1)

            // Two orders of one batch with the same coupon: only the first gets it.
            try await world.client.query("INSERT INTO coupons (code, definition) VALUES ('DB-RACE-2', '{}')", logger: world.logger)
            let sameBatch = try await database.transaction(logger: world.logger) { tx in
                try await CatalogStore.redeem([(code: "DB-RACE-2", orderID: "E"), (code: "DB-RACE-2", orderID: "F")], on: tx.connection, logger: tx.logger)
            }
            #expect(sameBatch == ["E"])
        }
    }
}
