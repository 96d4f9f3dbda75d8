import Foundation
import OMSDomain
@testable import IntegrationsService
import OMSPlatform
import PostgresNIO
import Testing

/// Customer notifications by a real integrations process, from events on real topics, to a local
/// Aliyun SMS endpoint that checks every signature and a real SMTP server (aiosmtpd) that requires
/// STARTTLS and a login; the mails are read back and parsed.
@Suite("Notifications: SMS and e-mail once per event, in order, deferred, opted out, retried or given up", .serialized)
struct NotificationTests {
    static let fast = ["OMS_NOTIFY_POLL_MILLISECONDS": "50", "OMS_NOTIFY_SETTLE_MILLISECONDS": "300", "OMS_NOTIFY_RETRY_BASE_MILLISECONDS": "100",
                       "OMS_NOTIFY_QUIET_HOURS": "off", "OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR": "0", "OMS_NOTIFY_TIMEOUT_SECONDS": "5",
                       "OMS_WEBHOOK_POLL_MILLISECONDS": "50", "OMS_MARKETPLACE_POLL_MILLISECONDS": "200"]

    static func order(_ id: String, phone: String, email: String?, channel: OMSDomain.Channel = .web, paid: Bool = true) -> Order {
        Order(orderID: id, channel: channel, channelOrderID: "W-\(id)", customer: Customer(customerKey: "ck-\(id)", name: "李雷", phone: phone, email: email),
              deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 100 号 8 楼", postalCode: "200120"),
              lines: [OrderLine(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1, unitPrice: .fen(29_900)), OrderLine(lineNumber: 2, sku: "GLS-WINEGLASS-1", quantity: 1, unitPrice: .fen(4_610))],
              shippingFee: .zero, payment: Payment(method: .card, reference: paid ? "pi_\(id)" : nil, paidAmount: .fen(paid ? 34_510 : 0), paidAt: paid ? Date() : nil),
              placedAt: Date())
    }

    static func received(_ order: Order) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderReceived(order: order, appliedPromotions: [], couponCode: nil, receivedAt: Date()), orderID: order.orderID, producer: .intake,
                                occurredAt: Date().addingTimeInterval(-60)), TopicCatalogue.orders)
    }

    static func verified(_ order: Order) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderVerified(orderID: order.orderID, score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(), order: order),
                                orderID: order.orderID, producer: .risk, occurredAt: Date().addingTimeInterval(-50)), TopicCatalogue.riskDecisions)
    }

    static func packed(_ order: Order, parcels: Int) throws -> (EventEnvelope, String) {
        let parcel = { (n: Int) in
            PackedParcel(parcelId: "P\(n)", cartonCode: "C1", lengthMm: 300, widthMm: 200, heightMm: 100, weightGrams: 800, lines: [ParcelLine(lineNumber: n, sku: "X", quantity: 1)],
                         fragile: false, liquid: false, perishable: false, valuable: false, insured: false, declaredValue: .zero, packaging: [], inserts: [])
        }
        return (try EventEnvelope.make(FulfillmentPacked(fulfillmentOrderId: "FO-\(order.orderID)", orderID: order.orderID, warehouseId: "SH1",
                                                         parcels: (1...parcels).map(parcel), packedBy: "automation", packedAt: Date(), order: order),
                                       orderID: order.orderID, producer: .fulfillment, occurredAt: Date().addingTimeInterval(-45)), TopicCatalogue.fulfillmentEvents)
    }

    static func dispatched(_ order: String, _ n: Int, line: Int, at offset: TimeInterval) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(ShipmentDispatched(shipmentId: "S-\(order)-\(n)", orderID: order, warehouseId: "SH1", carrier: "SF", trackingNumber: "SF10000000000\(n)",
                                                   lines: [ParcelLine(lineNumber: line, sku: "X", quantity: 1)], dispatchedAt: Date(),
                                                   estimatedDelivery: Date().addingTimeInterval(2 * 86_400)),
                                orderID: order, producer: .logistics, occurredAt: Date().addingTimeInterval(offset)), TopicCatalogue.shipments)
    }

    static func delivered(_ order: String, _ n: Int, at offset: TimeInterval) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(ShipmentDelivered(shipmentId: "S-\(order)-\(n)", orderID: order, trackingNumber: "SF10000000000\(n)", deliveredAt: Date(), location: nil,
                                                  signedBy: nil, proofReference: nil, lines: []),
                                orderID: order, producer: .logistics, occurredAt: Date().addingTimeInterval(offset)), TopicCatalogue.shipments)
    }

    static func refunded(_ order: String, fen: Int64, at offset: TimeInterval) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(RefundIssued(refundId: "RF-\(order)", returnId: "RA-\(order)", orderID: order, amount: .fen(fen), lines: [], clawbacks: [],
                                             shippingFeeRefunded: .zero, withheldUnits: 0, paymentMethod: .card, issuedAt: Date()),
                                orderID: order, producer: .aftersales, occurredAt: Date().addingTimeInterval(offset)), TopicCatalogue.afterSalesEvents)
    }

    static func withNotifications(_ world: IntakeWorld, environment: [String: String] = [:],
                                  _ body: @Sendable (EdgeClient, AliyunSMSEndpoint, MailSink) async throws -> Void) async throws {
        let sms = AliyunSMSEndpoint(port: TestPorts.block())
        let mail = try MailSink(port: TestPorts.block())
        defer { mail.stop() }
        #expect(await mail.ready(), "the test SMTP server did not start")
        let port = TestPorts.block()
        let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
        let settings = fast.merging(sms.environment) { $1 }.merging(mail.environment) { $1 }.merging(environment) { $1 }
        try await world.running([sms.application(), try world.integrationsApplication(port: port, environment: settings)], readyAt: [client]) {
            try await body(client, sms, mail)
        }
    }

    @Test("a web order's confirmation, parcels 1 and 2 of 2, delivery and refund reach its phone and mailbox once, in order; a replay sends nothing; the log is masked")
    func journeyOnceInOrder() async throws {
        try await withIntakeWorld { world in
            try await Self.withNotifications(world) { client, sms, mail in
                let order = Self.order("O-NT-1", phone: "13912345678", email: "lilei@example.com")
                let events = [try Self.received(order), try Self.verified(order), try Self.packed(order, parcels: 2),
                              try Self.dispatched("O-NT-1", 1, line: 1, at: -40), try Self.dispatched("O-NT-1", 2, line: 2, at: -30),
                              try Self.delivered("O-NT-1", 1, at: -20), try Self.refunded("O-NT-1", fen: 4_610, at: -10)]
                // Published topic by topic in reverse, as a consumer may read them: sent in the order they happened.
                try await world.publish([events[6], events[3], events[4], events[5], events[2], events[1], events[0]])
                let types = ["order.confirmed", "shipment.shipped", "shipment.shipped", "shipment.delivered", "refund.issued"]
                #expect(try await world.eventually { sms.delivered(to: "13912345678").count == 5 && mail.mails.count == 5 })
                let texts = sms.delivered(to: "13912345678")
                #expect(sms.messages.allSatisfy { $0.signatureValid })
                let codes = types.map { type in NotificationTemplate.builtIn(NotificationMessageType(rawValue: type)!, language: "zh-CN").smsTemplateCode }
                #expect(texts.map(\.templateCode) == codes)
                #expect(texts[1].parameters["parcelNumber"] == "1" && texts[1].parameters["parcelCount"] == "2" && texts[1].parameters["carrier"] == "顺丰速运")
                #expect(texts[2].parameters["parcelNumber"] == "2" && texts[2].parameters["trackingNumber"] == "SF100000000002")
                #expect(texts[4].parameters["refundAmount"] == "¥46.10")
                #expect(texts[0].parameters["total"] == "¥345.10" && texts[0].parameters["channelOrderId"] == "W-O-NT-1")

                let mails = mail.mails
                #expect(mails.allSatisfy { $0.tls && $0.authenticated && $0.to == "<lilei@example.com>" })
                #expect(mails.map(\.subject) == ["订单已确认 W-O-NT-1", "包裹已发出 W-O-NT-1（1/2）", "包裹已发出 W-O-NT-1（2/2）", "包裹已签收 W-O-NT-1", "已退款 ¥46.10（W-O-NT-1）"])
                #expect(mails[1].text.contains("运单号SF100000000001") && mails[1].html.contains("运单号SF100000000001") && mails[1].html.hasPrefix("<!DOCTYPE html>"))
                #expect(mails.allSatisfy { ($0.headers["from"] ?? "").contains("<service@shop.example.cn>") && ($0.headers["message-id"] ?? "").hasSuffix("@oms>") })

                // The log for customer service: in order, the recipient masked, no personal data.
                // (Outcomes are recorded when each sender's round ends.)
                #expect(try await world.eventually {
                    let rows = try await client.send(.GET, "/v1/notifications?orderId=O-NT-1").json["notifications"] as? [[String: Any]] ?? []
                    return rows.count == 10 && rows.allSatisfy { $0["status"] as? String == "sent" }
                })
                let log = try await client.send(.GET, "/v1/notifications?orderId=O-NT-1")
                let rows = log.json["notifications"] as? [[String: Any]] ?? []
                #expect(!log.text.contains("13912345678") && !log.text.contains("lilei@") && log.text.contains("139****5678") && log.text.contains("l***@example.com"))
                #expect(rows.filter { $0["medium"] as? String == "sms" }.map { $0["messageType"] as? String ?? "" } == types)
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notification_orders WHERE sealed_phone LIKE 'pii:v1:%' AND sealed_email LIKE 'pii:v1:%'") == 1)

                // A replay of every event (same ids) sends nothing new.
                try await world.publish(events + [try Self.received(Self.order("O-NT-MARK", phone: "13912340000", email: nil)),
                                                  try Self.verified(Self.order("O-NT-MARK", phone: "13912340000", email: nil))])
                #expect(try await world.eventually { sms.delivered(to: "13912340000").count == 1 })
                try await Task.sleep(for: .milliseconds(800))
                #expect(sms.delivered(to: "13912345678").count == 5 && mail.mails.count == 5)
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-MARK'") == 1, "no e-mail row without an address")

                let summary = try await client.send(.GET, "/v1/notifications/summary")
                let shipped = (summary.json["counts"] as? [[String: Any]] ?? []).filter { $0["messageType"] as? String == "shipment.shipped" && $0["status"] as? String == "sent" }
                #expect(shipped.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 4 && Set(shipped.compactMap { $0["medium"] as? String }) == ["sms", "email"], "\(summary.text.prefix(400))")
            }
        }
    }

    @Test("throttling is retried, an invalid number and an unapproved template are not (dead-lettered); an opt-out stops the next message; templates are checked and used")
    func providerAnswersOptOutsAndTemplates() async throws {
        try await withIntakeWorld { world in
            try await Self.withNotifications(world) { client, sms, mail in
                sms.behave("13900000001", .throttle(times: 2))
                sms.behave("13900000002", .invalidNumber)
                let throttled = Self.order("O-NT-THR", phone: "13900000001", email: nil)
                let invalid = Self.order("O-NT-BAD", phone: "13900000002", email: "not-an-address@@example")
                try await world.publish([try Self.received(throttled), try Self.verified(throttled), try Self.received(invalid), try Self.verified(invalid)])
                #expect(try await world.eventually { sms.delivered(to: "13900000001").count == 1 })
                #expect(sms.messages.filter { $0.phone == "13900000001" }.map(\.answered) == ["isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", "OK"])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-BAD' AND status = 'failed'") == 2
                })
                #expect(sms.messages.filter { $0.phone == "13900000002" }.count == 1, "an invalid number is not retried")
                let bad = try await client.send(.GET, "/v1/notifications?orderId=O-NT-BAD")
                let codes = Set((bad.json["notifications"] as? [[String: Any]] ?? []).compactMap { $0["lastErrorCode"] as? String })
                #expect(codes == ["isv.MOBILE_NUMBER_ILLEGAL", "invalid_recipient"], "\(bad.text.prefix(300))")
                #expect(try await world.eventually {
                    try await world.committedEvents(schema: world.integrationsSchema, key: "O-NT-BAD", type: "integrations.notification-failed") == 2
                })
                #expect(mail.mails.isEmpty)

                // Customer service records an opt-out: the next service message is suppressed.
                #expect(try await client.send(.POST, "/v1/notifications/opt-outs", body: Array(#"{"phone":"13900000001","kind":"service"}"#.utf8)).status == 201)
                #expect(try await client.send(.POST, "/v1/notifications/opt-outs", body: Array(#"{"phone":"13900000001"}"#.utf8)).status == 200)
                let lookup = try await client.send(.POST, "/v1/notifications/opt-outs/lookup", body: Array(#"{"phone":"13900000001"}"#.utf8))
                #expect(lookup.text.contains("139****0001") && !lookup.text.contains("13900000001"))
                try await world.publish([try Self.dispatched("O-NT-THR", 1, line: 1, at: 0)])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-THR' AND status = 'suppressed' AND skip_reason = 'opted_out'") == 1
                })
                #expect(sms.delivered(to: "13900000001").count == 1)
                #expect(try await client.send(.POST, "/v1/notifications/opt-outs/withdraw", body: Array(#"{"phone":"13900000001","kind":"service"}"#.utf8)).status == 200)

                // Templates: unknown variables, a subject with a line break, bad codes are refused; a saved one is used.
                let unknown = try await client.send(.PUT, "/v1/notifications/templates/shipment.delivered/zh-CN",
                                                    body: Array(#"{"smsTemplateCode":"SMS_900001","smsText":"${customerName}，包裹${trackingNumber}已签收","emailSubject":"已签收","emailText":"您好"}"#.utf8))
                #expect(unknown.status == 422 && unknown.text.contains("smsText") && unknown.text.contains("${customerName}"), "\(unknown.text)")
                let injected = try await client.send(.PUT, "/v1/notifications/templates/shipment.delivered/en",
                                                     body: Array(#"{"emailSubject":"Delivered\r\nBcc: all@example.com","emailText":"Hello"}"#.utf8))
                #expect(injected.status == 422 && injected.text.contains("emailSubject"))
                #expect(try await client.send(.PUT, "/v1/notifications/templates/shipment.lost/zh-CN", body: Array(#"{"emailSubject":"x","emailText":"y"}"#.utf8)).status == 422)
                let big = try await client.send(.PUT, "/v1/notifications/templates/shipment.delivered/en",
                                                body: Array(#"{"emailSubject":"Delivered","emailText":"\#(String(repeating: "x", count: 40_000))"}"#.utf8))
                #expect([413, 422].contains(big.status))
                #expect(try await client.send(.POST, "/v1/notifications/opt-outs", body: Array(#"{"email":"a@b\r\nBcc: x@y.z"}"#.utf8)).status == 422)
                #expect(try await client.send(.POST, "/v1/notifications/opt-outs", body: Array(#"{"phone":"12345"}"#.utf8)).status == 422)
                let saved = try await client.send(.PUT, "/v1/notifications/templates/shipment.delivered/zh-CN",
                                                  body: Array(#"{"smsTemplateCode":"SMS_900001","smsText":"包裹${trackingNumber}已签收，${returnDays}天内可退","emailSubject":"已签收 ${channelOrderId}","emailText":"您好"}"#.utf8))
                #expect(saved.status == 200 && saved.json["version"] as? Int == 1, "\(saved.text)")
                sms.refuseTemplate("SMS_900002")
                try await world.publish([try Self.delivered("O-NT-THR", 1, at: 1)])
                #expect(try await world.eventually { sms.delivered(to: "13900000001").contains { $0.templateCode == "SMS_900001" && $0.parameters == ["trackingNumber": "SF100000000001", "returnDays": "7"] } })
                // The outcome is recorded when the sender's round ends.
                #expect(try await world.eventually {
                    let row = try await client.send(.GET, "/v1/notifications?orderId=O-NT-THR")
                    return (row.json["notifications"] as? [[String: Any]] ?? []).contains { $0["messageType"] as? String == "shipment.delivered" && $0["templateVersion"] as? Int == 1 }
                })
                // A template the provider has not approved fails the message without a retry.
                _ = try await client.send(.PUT, "/v1/notifications/templates/refund.issued/zh-CN",
                                          body: Array(#"{"smsTemplateCode":"SMS_900002","smsText":"已退款${refundAmount}","emailSubject":"已退款","emailText":"您好"}"#.utf8))
                try await world.publish([try Self.refunded("O-NT-THR", fen: 100, at: 2)])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-THR' AND last_error_code = 'isv.SMS_TEMPLATE_ILLEGAL' AND status = 'failed'") == 1
                })
                #expect(sms.messages.filter { $0.templateCode == "SMS_900002" }.count == 1)

                // A row whose stored variables no longer read as strings is failed, never sent with blanks.
                let corrupt = UUID()
                _ = try await world.count("""
                    WITH i AS (INSERT INTO \(world.integrationsSchema).notifications (notification_id, event_id, message_type, medium, order_id, language, variables,
                                                                                   delivery_day, occurred_at)
                               VALUES ('\(corrupt)', gen_random_uuid(), 'order.confirmed', 'sms', 'O-NT-THR', 'zh-CN', '[1, 2]', false, now()) RETURNING 1)
                    SELECT count(*) FROM i
                    """)
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE notification_id = '\(corrupt)' AND status = 'failed' AND last_error_code = 'variables_unreadable'") == 1
                })
                #expect(!sms.messages.contains { $0.outID == corrupt.uuidString.lowercased() })
            }
        }
    }

    @Test("quiet hours (Asia/Shanghai) hold an SMS until they end; the e-mail and a delivery-day SMS go at once; the hourly limit defers the rest")
    func quietHoursAndLimits() async throws {
        // A quiet window around the present Shanghai time: the clock the service reads is inside it.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let now = calendar.dateComponents([.hour, .minute], from: Date())
        let start = ((now.hour! * 60 + now.minute!) + 24 * 60 - 60) % (24 * 60), end = ((now.hour! * 60 + now.minute!) + 120) % (24 * 60)
        let window = String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
        try await withIntakeWorld { world in
            try await Self.withNotifications(world, environment: ["OMS_NOTIFY_QUIET_HOURS": window]) { client, sms, mail in
                let order = Self.order("O-NT-NIGHT", phone: "13900000003", email: "night@example.com")
                try await world.publish([try Self.received(order), try Self.verified(order)])
                #expect(try await world.eventually { mail.mails.count == 1 })
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-NIGHT' AND medium = 'sms' AND deferred_reason = 'quiet_hours' AND status = 'pending' AND next_attempt_at > now() + interval '100 minutes'") == 1
                })
                #expect(sms.messages.isEmpty)
                let row = try await client.send(.GET, "/v1/notifications?orderId=O-NT-NIGHT")
                #expect(row.text.contains("quiet_hours"))
                // A delivery-day message of another order goes out in quiet hours.
                let other = Self.order("O-NT-DAY", phone: "13900000004", email: nil)
                try await world.publish([try Self.received(other), try Self.delivered("O-NT-DAY", 1, at: 0)])
                #expect(try await world.eventually { sms.delivered(to: "13900000004").count == 1 })
            }
        }
        try await withIntakeWorld { world in
            try await Self.withNotifications(world, environment: ["OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR": "2"]) { client, sms, _ in
                let order = Self.order("O-NT-LIMIT", phone: "13900000005", email: nil)
                try await world.publish([try Self.received(order), try Self.verified(order), try Self.dispatched("O-NT-LIMIT", 1, line: 1, at: -30),
                                         try Self.delivered("O-NT-LIMIT", 1, at: -20)])
                #expect(try await world.eventually { sms.delivered(to: "13900000005").count == 2 })
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-LIMIT' AND deferred_reason = 'rate_limited' AND status = 'pending'") == 1
                })
                try await Task.sleep(for: .milliseconds(500))
                #expect(sms.delivered(to: "13900000005").count == 2)
            }
        }
    }

    @Test("integrations SIGKILLed while the provider holds an SMS: after the restart it is sent once more (at most one duplicate), never a third time")
    func killedMidSend() async throws {
        try await withIntakeWorld { world in
            let sms = AliyunSMSEndpoint(port: TestPorts.block())
            let mail = try MailSink(port: TestPorts.block())
            defer { mail.stop() }
            #expect(await mail.ready())
            let port = TestPorts.block()
            let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
            @Sendable func launch() throws -> Process {
                try ChildService.launch("oms-integrations", world: world, schema: world.integrationsSchema, port: port,
                                        environment: Self.fast.merging(sms.environment) { $1 }.merging(mail.environment) { $1 })
            }
            try await world.running([sms.application()]) {
                var process = try launch()
                #expect(try await ChildService.ready(client, world: world))
                sms.behave("13900000006", .answerLate(.seconds(4)))
                let order = Self.order("O-NT-KILL", phone: "13900000006", email: nil)
                try await world.publish([try Self.received(order), try Self.verified(order)])
                #expect(try await world.eventually { sms.messages.contains { $0.phone == "13900000006" } })
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                process = try launch()
                #expect(try await ChildService.ready(client, world: world))
                #expect(try await world.eventually(timeout: .seconds(90)) {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).notifications WHERE order_id = 'O-NT-KILL' AND status = 'sent'") == 1
                })
                try await Task.sleep(for: .seconds(1))
                // The held one reached the phone, and the repeat: two, the documented worst case.
                #expect(sms.delivered(to: "13900000006").count == 2)
                #expect(Set(sms.delivered(to: "13900000006").map(\.outID)).count == 1, "both carry the message's id as OutId")
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
