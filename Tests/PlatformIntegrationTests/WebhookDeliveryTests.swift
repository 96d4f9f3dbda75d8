import AsyncHTTPClient
import Foundation
import Hummingbird
@testable import IntegrationsService
import NIOCore
import OMSDomain
import OMSPlatform
import PostgresNIO
import Testing

/// The integrations service on an `IntakeWorld`'s topics, in `t_<id>_integrations`.
extension IntakeWorld {
    var integrationsSchema: String { "t_\(id)_integrations" }

    func integrationsApplication(port: Int, environment: [String: String]) throws -> some ApplicationProtocol {
        try serviceApplication(IntegrationsService(configuration: try IntegrationsConfiguration(environment: environment)), schema: integrationsSchema,
                               batchSize: 200, poolSize: 8, port: port)
    }
}

/// Webhook subscriptions delivered by a real integrations process, from events on real topics, to
/// real local receivers that verify every signature.
@Suite("Webhooks: signed, at least once, in order per order, retried, suspended and redelivered", .serialized)
struct WebhookDeliveryTests {
    static func event(_ type: String, order: String, _ json: String) -> EventEnvelope {
        EventEnvelope(type: type, schemaVersion: 1, orderID: order, correlationID: UUID(), causationID: nil, producer: .intake, payload: Array(json.utf8))
    }

    /// A complete order of `channel` (its events must decode: notifications read them).
    static func order(_ id: String, channel: String) -> Order {
        Order(orderID: id, channel: OMSDomain.Channel(rawValue: channel) ?? .web, channelOrderID: "C-\(id)",
              customer: Customer(customerKey: "ck-\(id)", name: "张三丰", phone: "13812345678"),
              deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 100 号", postalCode: "200120"),
              lines: [OrderLine(lineNumber: 1, sku: "CLO-TEE", quantity: 1, unitPrice: .fen(9_900))], shippingFee: .zero,
              payment: Payment(method: channel == "pos" ? .cashAtTill : .card, reference: channel == "pos" ? nil : "pay-\(id)", paidAmount: .fen(9_900), paidAt: Date()),
              placedAt: Date())
    }

    static func received(_ order: String, channel: String) -> EventEnvelope {
        try! EventEnvelope.make(OrderReceived(order: Self.order(order, channel: channel), appliedPromotions: [], couponCode: nil, receivedAt: Date()),
                                orderID: order, producer: .intake)
    }

    static func verified(_ order: String, channel: String = "web") -> EventEnvelope {
        try! EventEnvelope.make(OrderVerified(orderID: order, score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(), order: Self.order(order, channel: channel)),
                                orderID: order, producer: .risk)
    }

    static func dispatched(_ order: String, tracking: String) -> EventEnvelope {
        try! EventEnvelope.make(ShipmentDispatched(shipmentId: "S-\(order)", orderID: order, warehouseId: "SH1", carrier: "SF", trackingNumber: tracking,
                                                   lines: [ParcelLine(lineNumber: 1, sku: "CLO-TEE", quantity: 1)], dispatchedAt: Date()),
                                orderID: order, producer: .logistics)
    }

    static func subscribe(_ client: EdgeClient, _ receiver: WebhookReceiver, _ name: String, types: [String], channel: String? = nil, personal: Bool = false) async throws -> String {
        var body: [String: Any] = ["name": name, "url": receiver.url(name), "eventTypes": types, "includePersonalData": personal]
        if let channel { body["channel"] = channel }
        let reply = try await client.send(.POST, "/v1/integrations/webhooks", body: Array(try JSONSerialization.data(withJSONObject: body)))
        #expect(reply.status == 201, "\(reply.text)")
        let secret = reply.json["secret"] as? String ?? ""
        #expect(secret.hasPrefix("whsec_"))
        receiver.secret(name, secret)
        return (reply.json["subscription"] as? [String: Any])?["subscriptionId"] as? String ?? ""
    }

    /// An integrations process (in-process, through `buildApplication`) and a receiver, both
    /// running for `body`, which gets a client of the service once it is ready.
    static func withIntegrations(_ world: IntakeWorld, environment: [String: String], _ body: @Sendable (EdgeClient, WebhookReceiver) async throws -> Void) async throws {
        let receiver = WebhookReceiver(port: TestPorts.block())
        let port = TestPorts.block()
        let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
        try await world.running([receiver.application(), try world.integrationsApplication(port: port, environment: environment)], readyAt: [client]) {
            try await body(client, receiver)
        }
    }

    @Test("every event reaches its subscribers signed, once per event id, each order's events in order through a receiver outage; personal data only where granted; a replay sends nothing new; a rotated secret")
    func deliveredInOrderThroughAnOutage() async throws {
        try await withIntakeWorld { world in
            let environment = ["OMS_WEBHOOK_RETRY_BASE_MILLISECONDS": "200", "OMS_WEBHOOK_MAX_ATTEMPTS": "12", "OMS_WEBHOOK_POLL_MILLISECONDS": "50",
                               "OMS_WEBHOOK_SETTLE_MILLISECONDS": "3000"]
            try await Self.withIntegrations(world, environment: environment) { client, receiver in
                let types = [OrderReceived.eventType, OrderVerified.eventType, ShipmentDispatched.eventType]
                let erp = try await Self.subscribe(client, receiver, "erp", types: types)
                _ = try await Self.subscribe(client, receiver, "store", types: types, channel: "pos", personal: true)
                receiver.behave("erp", .status(503))

                let orders = (0..<6).map { "O-WH-WEB-\($0)" } + (0..<2).map { "O-WH-POS-\($0)" }
                let rounds: [[(EventEnvelope, String)]] = [
                    orders.map { (Self.received($0, channel: $0.contains("POS") ? "pos" : "web"), TopicCatalogue.orders) },
                    orders.map { (Self.verified($0, channel: $0.contains("POS") ? "pos" : "web"), TopicCatalogue.riskDecisions) },
                    orders.map { (Self.dispatched($0, tracking: "SF\($0.hashValue & 0xffff)"), TopicCatalogue.shipments) },
                ]
                // Each round is recorded before the next is published, so every order's events are
                // queued in their business order while the ERP is down.
                for (index, round) in rounds.enumerated() {
                    try await world.publish(round)
                    #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.integrationsSchema).webhook_events") == orders.count * (index + 1) })
                }
                #expect(try await world.eventually { receiver.arrivals("erp").filter { $0.answered == 503 }.count >= 12 })
                receiver.behave("erp", .accept)
                #expect(try await world.eventually { Set(receiver.accepted("erp").map(\.eventID)).count == orders.count * 3 })
                #expect(try await world.eventually { Set(receiver.accepted("store").map(\.eventID)).count == 2 * 3 })

                let erpArrivals = receiver.arrivals("erp")
                #expect(erpArrivals.allSatisfy { $0.signatureValid })
                #expect(erpArrivals.contains { $0.attempt > 1 }, "the outage should have forced retries")
                for order in orders {
                    // In order per order: the first acceptance of each event follows the business order,
                    // and no later event of the order was even tried before the earlier one was accepted.
                    let tried = erpArrivals.filter { $0.orderID == order }
                    var firstTried: [String] = []
                    for arrival in tried where !firstTried.contains(arrival.eventType) { firstTried.append(arrival.eventType) }
                    #expect(firstTried == types, "\(order): \(firstTried)")
                }
                // Masked for the ERP; the store system, granted personal data, gets it, for pos orders only.
                #expect(erpArrivals.allSatisfy { !$0.text.contains("13812345678") && !$0.text.contains("张三丰") })
                #expect(erpArrivals.contains { $0.text.contains("138****5678") })
                let store = receiver.accepted("store")
                #expect(Set(store.map(\.orderID)) == ["O-WH-POS-0", "O-WH-POS-1"])
                #expect(store.contains { $0.text.contains("13812345678") })

                // The delivery log: all delivered, attempts counted.
                let log = try await client.send(.GET, "/v1/integrations/webhooks/\(erp)/deliveries?status=delivered&limit=1000")
                let rows = log.json["deliveries"] as? [[String: Any]] ?? []
                #expect(rows.count == orders.count * 3, "\(log.text.prefix(300))")
                #expect(rows.contains { ($0["attempts"] as? Int ?? 0) > 1 })
                let one = try await client.send(.GET, "/v1/integrations/deliveries/\(rows.first?["deliveryId"] as? Int ?? 0)")
                #expect(one.status == 200 && one.json["status"] as? String == "delivered" && one.json["lastStatusCode"] as? Int == 200)

                // A forged delivery (wrong secret) is refused by the receiver.
                var forged = HTTPClientRequest(url: receiver.url("erp"))
                forged.method = .POST
                let body = Array(#"{"id":"forged"}"#.utf8)
                let now = Int64(Date().timeIntervalSince1970)
                forged.headers.add(name: "OMS-Webhook-Timestamp", value: "\(now)")
                forged.headers.add(name: "OMS-Webhook-Signature", value: WebhookSignature.sign(body: body, timestamp: now, secret: "whsec_guessed"))
                forged.body = .bytes(ByteBuffer(bytes: body))
                #expect(try await HTTPClient.shared.execute(forged, timeout: .seconds(5)).status.code == 401)

                // A replay of every event (same ids) queues nothing new and sends nothing twice.
                let deliveriesBefore = try await world.count("SELECT count(*) FROM \(world.integrationsSchema).webhook_deliveries")
                let acceptedBefore = receiver.accepted("erp").count
                try await world.publish(rounds.flatMap { $0 } + [(Self.received("O-WH-LAST", channel: "web"), TopicCatalogue.orders)])
                #expect(try await world.eventually { receiver.accepted("erp").contains { $0.orderID == "O-WH-LAST" } })
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).webhook_deliveries") == deliveriesBefore + 1)
                #expect(receiver.accepted("erp").count == acceptedBefore + 1)

                // One order's events published moments apart on two topics, the later one first (as
                // risk's verification can overtake intake's receipt): sent in the order they happened.
                var receipt = Self.received("O-WH-XTOPIC", channel: "web")
                receipt.occurredAt = Date().addingTimeInterval(-0.2)
                let verification = Self.verified("O-WH-XTOPIC")
                let published = ContinuousClock.now
                try await world.publish([(verification, TopicCatalogue.riskDecisions)])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).webhook_events WHERE event_id = '\(verification.eventID)'") == 1
                })
                try await world.publish([(receipt, TopicCatalogue.orders)])
                print("cross-topic pair recorded \(ContinuousClock.now - published) apart at most")
                #expect(try await world.eventually { receiver.accepted("erp").filter { $0.orderID == "O-WH-XTOPIC" }.count == 2 })
                #expect(receiver.arrivals("erp").filter { $0.orderID == "O-WH-XTOPIC" }.map(\.eventType) == [OrderReceived.eventType, OrderVerified.eventType])

                // A rotated secret: during the grace period both sign, so the receiver verifies with
                // either; rotated without grace, a receiver still on the old one refuses (401, retried)
                // until it takes the new one.
                func rotate(grace: Int) async throws -> String {
                    let reply = try await client.send(.POST, "/v1/integrations/webhooks/\(erp)/rotate-secret?graceHours=\(grace)")
                    #expect(reply.status == 200, "\(reply.text)")
                    return reply.json["secret"] as? String ?? ""
                }
                func delivered(_ order: String) async throws -> Bool {
                    try await world.publish([(Self.received(order, channel: "web"), TopicCatalogue.orders)])
                    return try await world.eventually { receiver.accepted("erp").contains { $0.orderID == order } }
                }
                let second = try await rotate(grace: 1)
                #expect(try await delivered("O-WH-ROT-1"), "the old secret still verifies during the grace period")
                receiver.secret("erp", second)
                #expect(try await delivered("O-WH-ROT-2"), "the new secret verifies")
                let third = try await rotate(grace: 0)
                #expect(third.hasPrefix("whsec_") && third != second)
                try await world.publish([(Self.received("O-WH-ROT-3", channel: "web"), TopicCatalogue.orders)])
                #expect(try await world.eventually { receiver.arrivals("erp").contains { $0.orderID == "O-WH-ROT-3" && $0.answered == 401 } })
                #expect(!receiver.accepted("erp").contains { $0.orderID == "O-WH-ROT-3" })
                receiver.secret("erp", third)
                #expect(try await world.eventually { receiver.accepted("erp").contains { $0.orderID == "O-WH-ROT-3" } })
                #expect(try await client.send(.POST, "/v1/integrations/webhooks/\(erp)/rotate-secret?graceHours=999").status == 422)
            }
        }
    }

    @Test("a slow, a dead and a gone receiver hold only themselves: the healthy one gets everything first; 410 disables, failures suspend, ops re-enable and redeliver, nothing lost; retention")
    func failingReceiversHoldOnlyThemselves() async throws {
        try await withIntakeWorld { world in
            let environment = ["OMS_WEBHOOK_RETRY_BASE_MILLISECONDS": "100", "OMS_WEBHOOK_MAX_ATTEMPTS": "2", "OMS_WEBHOOK_SUSPEND_AFTER": "2",
                               "OMS_WEBHOOK_TIMEOUT_SECONDS": "5", "OMS_WEBHOOK_POLL_MILLISECONDS": "50"]
            let started = Date()
            try await Self.withIntegrations(world, environment: environment) { client, receiver in
                let types = [OrderReceived.eventType]
                let healthy = try await Self.subscribe(client, receiver, "healthy", types: types)
                let slow = try await Self.subscribe(client, receiver, "slow", types: types)
                let dead = try await Self.subscribe(client, receiver, "dead", types: types)
                let gone = try await Self.subscribe(client, receiver, "gone", types: types)
                receiver.behave("slow", .delay(.seconds(8)))
                receiver.behave("dead", .status(500))
                receiver.behave("gone", .status(410))
                let orders = (0..<12).map { "O-WH-FAIL-\($0)" }
                try await world.publish(orders.map { (Self.received($0, channel: "web"), TopicCatalogue.orders) })

                #expect(try await world.eventually(timeout: .seconds(30)) { Set(receiver.accepted("healthy").map(\.orderID)).count == orders.count })
                // The healthy receiver had everything while the slow one's first attempts were still
                // in flight (none had timed out yet): it never waited for the slow one.
                let slowRows = "FROM \(world.integrationsSchema).webhook_deliveries WHERE subscription_id = '\(slow)'"
                #expect(try await world.count("SELECT count(*) \(slowRows) AND attempts >= 1") > 0)
                #expect(try await world.count("SELECT count(*) \(slowRows) AND (last_error IS NOT NULL OR status <> 'pending')") == 0)

                func status(_ id: String) async throws -> [String: Any] {
                    (try await client.send(.GET, "/v1/integrations/webhooks/\(id)").json["subscription"] as? [String: Any]) ?? [:]
                }
                #expect(try await world.eventually { try await status(gone)["status"] as? String == "disabled" })
                #expect((try await status(gone)["statusReason"] as? String ?? "").contains("410"))
                #expect(try await world.eventually { try await status(dead)["status"] as? String == "suspended" })
                #expect(try await status(healthy)["status"] as? String == "active")
                let metrics = try await client.send(.GET, "/metrics", anonymous: true).text
                #expect(metrics.contains("oms_integrations_webhook_subscriptions_suspended_total"))

                // The receiver is fixed; ops enable the subscription and redeliver what failed: every event arrives.
                receiver.behave("dead", .accept)
                #expect(try await client.send(.POST, "/v1/integrations/webhooks/\(dead)/enable").status == 200)
                let since = Timestamps.format(started.addingTimeInterval(-60))
                let again = try await client.send(.POST, "/v1/integrations/webhooks/\(dead)/redeliver?failedSince=\(since)")
                #expect(again.status == 202, "\(again.text)")
                #expect(try await world.eventually(timeout: .seconds(30)) { Set(receiver.accepted("dead").map(\.orderID)).count == orders.count })
                #expect(receiver.arrivals("dead").allSatisfy { $0.signatureValid })
                // Nothing was queued for the gone subscription after it was disabled, and its first delivery shows why.
                let goneLog = try await client.send(.GET, "/v1/integrations/webhooks/\(gone)/deliveries?status=gone").json["deliveries"] as? [[String: Any]] ?? []
                #expect(goneLog.first?["lastStatusCode"] as? Int == 410)

                // Retention: the healthy subscription's deliveries made 40 days old go; pending ones and
                // events other deliveries still refer to stay.
                let schema = world.integrationsSchema
                _ = try await world.client.query(PostgresQuery(unsafeSQL: "UPDATE \(schema).webhook_deliveries SET created_at = now() - interval '40 days' WHERE subscription_id IN ('\(healthy)', '\(slow)')"), logger: world.logger)
                _ = try await world.client.query(PostgresQuery(unsafeSQL: "UPDATE \(schema).webhook_events SET recorded_at = now() - interval '40 days'"), logger: world.logger)
                let pending = try await world.count("SELECT count(*) FROM \(schema).webhook_deliveries WHERE status = 'pending'")
                let deleted = try await world.client.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"), logger: world.logger)
                    let deleted = try await DeliveryStore.prune(olderThanDays: 30, connection: connection, logger: world.logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(world.schema)"), logger: world.logger)
                    return deleted
                }
                #expect(deleted == orders.count, "the healthy subscription's \(orders.count) delivered ones, not the slow one's pending ones")
                #expect(try await world.count("SELECT count(*) FROM \(schema).webhook_deliveries WHERE subscription_id = '\(healthy)'") == 0)
                #expect(try await world.count("SELECT count(*) FROM \(schema).webhook_deliveries WHERE status = 'pending'") == pending)
                #expect(try await world.count("SELECT count(*) FROM \(schema).webhook_events") == orders.count)
            }
        }
    }

    @Test("a subscription naming a non-http(s), link-local, metadata or plain-http remote URL, an unknown event type or channel is refused 422 naming the field")
    func refusesBadSubscriptions() async throws {
        try await withIntakeWorld { world in
            try await Self.withIntegrations(world, environment: [:]) { client, _ in
                let cases: [([String: Any], String)] = [
                    (["url": "https://169.254.169.254/latest/meta-data/"], "url"), (["url": "gopher://example.com"], "url"),
                    (["url": "http://erp.example.com/hook"], "url"), (["url": "https://[fe80::1]/x"], "url"),
                    (["eventTypes": ["order.teleported"]], "eventTypes[0]"), (["eventTypes": [String]()], "eventTypes"), (["channel": "fax"], "channel"),
                ]
                for (override, field) in cases {
                    let body = ["name": "ERP", "url": "https://erp.example.com/hook", "eventTypes": ["order.received"]].merging(override) { _, new in new }
                    let reply = try await client.send(.POST, "/v1/integrations/webhooks", body: Array(try JSONSerialization.data(withJSONObject: body)))
                    let fields = ((reply.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                    #expect(reply.status == 422 && fields.contains(field), "\(override): \(reply.text)")
                }
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).webhook_subscriptions") == 0)
                #expect(try await client.send(.GET, "/v1/integrations/webhooks/wh_nothing").status == 404)
                #expect(try await client.send(.POST, "/v1/integrations/deliveries/abc/redeliver").status == 422)
            }
        }
    }

    @Test("the integrations process SIGKILLed mid-delivery loses nothing: after a restart every event arrives, a repeat carrying the same event id")
    func killedMidDelivery() async throws {
        try await withIntakeWorld { world in
            let receiver = WebhookReceiver(port: TestPorts.block())
            let port = TestPorts.block()
            let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
            @Sendable func launch() throws -> Process {
                try ChildService.launch("oms-integrations", world: world, schema: world.integrationsSchema, port: port, environment: [
                    "OMS_WEBHOOK_SETTLE_MILLISECONDS": "0", "OMS_WEBHOOK_RETRY_BASE_MILLISECONDS": "200", "OMS_WEBHOOK_TIMEOUT_SECONDS": "1", "OMS_WEBHOOK_POLL_MILLISECONDS": "50",
                ])
            }
            @Sendable func ready() async throws -> Bool { try await ChildService.ready(client, world: world) }
            try await world.running([receiver.application()]) {
                var process = try launch()
                #expect(try await ready())
                _ = try await Self.subscribe(client, receiver, "erp", types: [OrderReceived.eventType])
                receiver.behave("erp", .delay(.milliseconds(700)))
                let events = (0..<40).map { Self.received("O-WH-KILL-\($0)", channel: "web") }
                try await world.publish(events.map { ($0, TopicCatalogue.orders) })
                // Killed while deliveries are in flight: some arrived, others were claimed and sent.
                #expect(try await world.eventually { receiver.arrivals("erp").count >= 4 })
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let beforeRestart = Set(receiver.accepted("erp").map(\.eventID)).count
                receiver.behave("erp", .accept)
                process = try launch()
                #expect(try await ready())
                let all = Set(events.map { $0.eventID.uuidString.lowercased() })
                #expect(try await world.eventually(timeout: .seconds(90)) { Set(receiver.accepted("erp").map(\.eventID)) == all })
                let arrivals = receiver.arrivals("erp")
                #expect(arrivals.allSatisfy { $0.signatureValid && all.contains($0.eventID) })
                print("killed mid-delivery: \(beforeRestart) of \(all.count) delivered before the kill, \(arrivals.count - all.count) repeats after the restart, all \(all.count) delivered")
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
