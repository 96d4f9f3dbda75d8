import Foundation
import OMSDomain
import Testing
@testable import IntegrationsService

/// The pure rules of customer notifications: templates and their variables, quiet hours and the
/// per-recipient limit, the e-mail's MIME form, Aliyun's request signature and error codes, and
/// which message an event calls for.
@Suite("Notification rules: templates, quiet hours, limits, MIME, Aliyun signing, planning")
struct NotificationRulesTests {
    static func shanghai(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text + "+08:00")!
    }

    @Test("a template may use only its type's variables; a subject is one line; parts have limits; the SMS code is the provider's")
    func templateChecks() {
        var template = NotificationTemplate.builtIn(.shipped, language: "zh-CN")
        #expect(template.problems.isEmpty, "\(template.problems)")
        for type in NotificationMessageType.allCases {
            for language in NotificationTemplate.languages {
                #expect(NotificationTemplate.builtIn(type, language: language).problems.isEmpty, "built-in \(type.rawValue) \(language)")
            }
        }
        template.smsText = "您的包裹 ${trackingNumber} 由 ${courier} 配送"
        #expect(template.problems.map(\.field) == ["smsText"])
        #expect(template.problems.first?.reason.contains("${courier}") == true)
        template = .builtIn(.orderConfirmed, language: "en")
        template.emailSubject = "Order ${orderId}\r\nBcc: everyone@example.com"
        #expect(template.problems.contains { $0.field == "emailSubject" && $0.reason.contains("one line") })
        template = .builtIn(.orderConfirmed, language: "en")
        template.emailText = "Dear ${customerName}, ${total"
        #expect(template.problems.contains { $0.field == "emailText" && $0.reason.contains("unclosed") })
        template.emailText = String(repeating: "字", count: 20_000)
        #expect(template.problems.contains { $0.field == "emailText" && $0.reason.contains("bytes") })
        template = .builtIn(.orderConfirmed, language: "en")
        template.smsTemplateCode = "SMS_12a"
        #expect(template.problems.map(\.field) == ["smsTemplateCode"])
        template.smsTemplateCode = "SMS_123"
        template.smsText = String(repeating: "x", count: 501)
        #expect(template.problems.map(\.field) == ["smsText"])
        // A variable's value never breaks a line or adds markup to the HTML part.
        #expect(NotificationTemplate.render("运单 ${trackingNumber}", ["trackingNumber": "SF1\r\nBcc: x"]) == "运单 SF1 Bcc: x")
        #expect(NotificationTemplate.render("<b>${carrier}</b>", ["carrier": "<script>"], transform: NotificationTemplate.escapeHTML) == "<b>&lt;script&gt;</b>")
        #expect(NotificationTemplate.builtIn(.shipped, language: "zh-CN").smsParameters(["carrier": "顺丰速运", "shopName": "店", "unused": "x"]).keys.sorted()
                == ["carrier", "channelOrderId", "estimatedDelivery", "parcelCount", "parcelNumber", "shopName", "trackingNumber"])
    }

    @Test("quiet hours: 22:00-08:00 Shanghai holds an SMS until 08:00, not a delivery-day one nor an e-mail; the hourly limit defers the next SMS")
    func gate() {
        let gate = NotificationGate(quietHours: .standard, smsPerRecipientPerHour: 2)
        let night = Self.shanghai("2026-12-06T23:30:00"), early = Self.shanghai("2026-12-07T07:59:00"), day = Self.shanghai("2026-12-07T08:00:00")
        #expect(gate.decide(medium: .sms, deliveryDay: false, optedOut: false, recentSends: [], now: night) == .deferUntil(Self.shanghai("2026-12-07T08:00:00"), reason: "quiet_hours"))
        #expect(gate.decide(medium: .sms, deliveryDay: false, optedOut: false, recentSends: [], now: early) == .deferUntil(day, reason: "quiet_hours"))
        #expect(gate.decide(medium: .sms, deliveryDay: false, optedOut: false, recentSends: [], now: day) == .send)
        #expect(gate.decide(medium: .sms, deliveryDay: true, optedOut: false, recentSends: [], now: night) == .send)
        #expect(gate.decide(medium: .email, deliveryDay: false, optedOut: false, recentSends: [], now: night) == .send)
        #expect(gate.decide(medium: .email, deliveryDay: false, optedOut: true, recentSends: [], now: day) == .suppress(reason: "opted_out"))
        let sent = [day.addingTimeInterval(-3_000), day.addingTimeInterval(-600), day.addingTimeInterval(-4_000)]
        #expect(gate.decide(medium: .sms, deliveryDay: false, optedOut: false, recentSends: sent, now: day) == .deferUntil(day.addingTimeInterval(600), reason: "rate_limited"))
        #expect(gate.decide(medium: .sms, deliveryDay: false, optedOut: false, recentSends: [day.addingTimeInterval(-600)], now: day) == .send)
        // A window that does not wrap midnight, and none at all.
        let lunch = QuietHours(parsing: "12:00-13:30")!
        #expect(lunch.contains(Self.shanghai("2026-12-07T13:29:00")) && !lunch.contains(Self.shanghai("2026-12-07T13:30:00")))
        #expect(!QuietHours.none.contains(night))
        #expect(QuietHours(parsing: "25:00-08:00") == nil && QuietHours(parsing: "22:00") == nil && QuietHours(parsing: "off") == QuietHours.none)
    }

    @Test("an e-mail is ASCII MIME: UTF-8 subject as encoded words, text and HTML parts in base64, lines of at most 78, no header from a value")
    func mime() throws {
        let message = MailMessage(messageID: "5c4f@oms", from: MailMessage.Address(parsing: "示例零售 <service@shop.example.cn>")!, to: "lilei@example.com",
                                  subject: "包裹已发出 W2026（1/2）\r\nBcc: x@evil.example", text: "您好：\n\n包裹已发出。", html: "<p>包裹已发出。</p>",
                                  date: Self.shanghai("2026-12-07T09:30:00"))
        let rendered = message.rendered
        let ascii = rendered.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii)
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(!lines.contains { $0.hasPrefix("Bcc:") })
        #expect(lines.contains("Date: Mon, 07 Dec 2026 09:30:00 +0800"))
        #expect(lines.contains("Message-ID: <5c4f@oms>"))
        // The subject decodes back (line break flattened).
        let subjectLines = lines.drop { !$0.hasPrefix("Subject: ") }.prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        let decoded = subjectLines.map { $0.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces) }
            .map { word -> String in
                let base64 = word.replacingOccurrences(of: "=?UTF-8?B?", with: "").replacingOccurrences(of: "?=", with: "")
                return String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
            }.joined()
        #expect(decoded == "包裹已发出 W2026（1/2） Bcc: x@evil.example")
        #expect(rendered.contains("Content-Type: text/plain; charset=UTF-8") && rendered.contains("Content-Type: text/html; charset=UTF-8"))
        #expect(rendered.contains(Data("您好：\n\n包裹已发出。".utf8).base64EncodedString()))
        #expect(MailMessage.html(fromText: "a < b\n\nc", language: "zh-CN").contains("<p>a &lt; b</p><p>c</p>"))
        #expect(MailMessage.encodedWords("Order W1 shipped") == "Order W1 shipped")
    }

    @Test("e-mail addresses: ordinary ones pass; header injection, display names, missing parts and odd domains do not")
    func addresses() {
        for good in ["lilei@example.com", "li.lei+shop@mail.example.cn", "a@b.co"] { #expect(EmailAddress.isDeliverable(good), "\(good)") }
        for bad in ["lilei@example.com\r\nBcc: x@y.z", "李雷 <lilei@example.com>", "lilei", "@example.com", "lilei@", "lilei@localhost", "li lei@example.com",
                    "lilei@exa_mple.com", "lilei@-example.com", "a..b@example.com", "lilei@example..com", "x@y@example.com", String(repeating: "a", count: 65) + "@example.com"] {
            #expect(!EmailAddress.isDeliverable(bad), "\(bad)")
        }
        #expect(MailMessage.Address(parsing: "示例零售 <service@shop.example.cn>") == .some(.init(parsing: "示例零售 <service@shop.example.cn>")!))
        #expect(MailMessage.Address(parsing: "service@shop.example.cn")?.name == "")
        #expect(MailMessage.Address(parsing: "nobody") == nil)
    }

    @Test("Aliyun's documented SendSms signature is reproduced; its codes are retried or given up as documented")
    func aliyun() {
        // The example of Aliyun's "HTTP protocol and signature" page for SendSms (GET, XML).
        let configuration = AliyunSMSGateway.Configuration(accessKeyID: "testId", accessKeySecret: "testSecret", signName: "阿里云短信测试专用",
                                                           endpoint: "http://127.0.0.1/", region: "cn-hangzhou", timeoutSeconds: 5)
        var parameters = AliyunSMSGateway.signedParameters(phone: "15300000001", templateCode: "SMS_71390007", templateParam: #"{"customer":"test"}"#, outID: "123",
                                                           configuration: configuration, nonce: "45e25e9b-0a6f-4070-8c85-2956eda1b466",
                                                           now: ISO8601DateFormatter().date(from: "2017-07-12T02:42:19Z")!, method: "GET")
        parameters["Format"] = "XML"
        #expect(AliyunSMSGateway.signature(parameters, secret: "testSecret", method: "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4=")
        #expect(AliyunSMSGateway.percentEncode("a b*~/") == "a%20b%2A~%2F")
        #expect(AliyunSMSGateway.classify(code: "isv.BUSINESS_LIMIT_CONTROL", message: "") == .retry(code: "isv.BUSINESS_LIMIT_CONTROL", message: ""))
        #expect(AliyunSMSGateway.classify(code: "isp.SYSTEM_ERROR", message: "") == .retry(code: "isp.SYSTEM_ERROR", message: ""))
        #expect(AliyunSMSGateway.classify(code: "Throttling.User", message: "") == .retry(code: "Throttling.User", message: ""))
        #expect(AliyunSMSGateway.classify(code: "isv.MOBILE_NUMBER_ILLEGAL", message: "") == .rejected(code: "isv.MOBILE_NUMBER_ILLEGAL", message: ""))
        #expect(AliyunSMSGateway.classify(code: "isv.SMS_TEMPLATE_ILLEGAL", message: "") == .rejected(code: "isv.SMS_TEMPLATE_ILLEGAL", message: ""))
        #expect(AliyunSMSGateway.classify(code: "SignatureDoesNotMatch", message: "") == .rejected(code: "SignatureDoesNotMatch", message: ""))
    }

    @Test("events plan one message each: parcel n of m, an exchange's parcel, a refund promised only when paid, fraud holds told nothing, variables without personal data")
    func planning() throws {
        let planner = NotificationPlanner(shopName: "示例零售", language: "zh-CN", returnDays: 7)
        let order = NotificationPlanner.OrderFacts(channelOrderId: "W2026111100017", paidFen: 34_510)
        let eta = Self.shanghai("2026-12-09T18:00:00")
        let dispatched = try EventEnvelope.make(ShipmentDispatched(shipmentId: "S1", orderID: "O1", warehouseId: "SH1", carrier: "SF", trackingNumber: "SF1234567890",
                                                                   lines: [ParcelLine(lineNumber: 1, sku: "A", quantity: 1)], dispatchedAt: Date(), estimatedDelivery: eta),
                                                orderID: "O1", producer: .logistics)
        let shipped = try planner.plan(dispatched, order: order, parcel: .init(number: 1, count: 2, carrier: "SF", isExchange: false))
        #expect(shipped?.type == .shipped)
        #expect(shipped?.variables == ["shopName": "示例零售", "orderId": "O1", "channelOrderId": "W2026111100017", "carrier": "顺丰速运", "trackingNumber": "SF1234567890",
                                       "estimatedDelivery": "2026-12-09", "parcelNumber": "1", "parcelCount": "2"])
        #expect(try planner.plan(dispatched, order: order, parcel: .init(number: 2, count: 2, carrier: "SF", isExchange: true))?.type == .exchangeShipped)
        #expect(try planner.plan(dispatched, order: nil, parcel: nil) == nil)

        // A pickup order (门店自提) ready at its store: the code and the deadline, not "shipped";
        // its expiry's system return is not told as the customer's return.
        let ready = try EventEnvelope.make(ShipmentDispatched(shipmentId: "PU-P1", orderID: "O1", warehouseId: "S-PU", carrier: "STORE-PICKUP", trackingNumber: "ZT0000000001",
                                                              lines: [ParcelLine(lineNumber: 1, sku: "A", quantity: 1)], dispatchedAt: Date(), pickupCode: "042917",
                                                              pickupExpiresAt: Self.shanghai("2026-12-11T18:30:00")),
                                           orderID: "O1", producer: .logistics)
        #expect(try planner.plan(ready, order: order, parcel: .init(number: 1, count: 1, carrier: "STORE-PICKUP", isExchange: false)) == .init(type: .readyForPickup, variables: [
            "shopName": "示例零售", "orderId": "O1", "channelOrderId": "W2026111100017", "storeId": "S-PU", "pickupNumber": "ZT0000000001", "pickupCode": "042917",
            "pickupBy": "2026-12-11 18:30"]))
        let systemReturn = try EventEnvelope.make(ReturnRequested(returnId: "RMA-O1-1", orderID: "O1", reason: .notCollected, lines: [.init(lineNumber: 1, sku: "A", quantity: 1)],
                                                                  approved: true, requestedBy: "system:pickup-expired", requestedAt: Date()), orderID: "O1", producer: .aftersales)
        #expect(try planner.plan(systemReturn, order: order, parcel: nil) == nil)

        let cancelled = try EventEnvelope.make(OrderCancelled(orderID: "O1", requestedBy: "cs", reason: "customer", previousStatus: .received, cancelledAt: Date()),
                                               orderID: "O1", producer: .intake)
        #expect(try planner.plan(cancelled, order: order, parcel: nil) == .init(type: .orderCancelledRefund, variables: [
            "shopName": "示例零售", "orderId": "O1", "channelOrderId": "W2026111100017", "refundAmount": "¥345.10"]))
        #expect(try planner.plan(cancelled, order: .init(channelOrderId: "tmall:9001", paidFen: 0), parcel: nil)?.type == .orderCancelled)
        #expect(try planner.plan(cancelled, order: .init(channelOrderId: "tmall:9001", paidFen: 0), parcel: nil)?.variables["channelOrderId"] == "9001")

        let fraud = try EventEnvelope.make(OrderHeld(orderID: "O1", score: 80, findings: [RiskFinding(rule: "velocity_phone", score: 80, reason: "")], heldAt: Date()),
                                           orderID: "O1", producer: .risk)
        #expect(try planner.plan(fraud, order: order, parcel: nil) == nil)
        let address = try EventEnvelope.make(OrderHeld(orderID: "O1", score: 40, findings: [RiskFinding(rule: "vague_address", score: 40, reason: "")], heldAt: Date()),
                                             orderID: "O1", producer: .risk)
        #expect(try planner.plan(address, order: order, parcel: nil)?.type == .addressNeeded)
        let awaiting = try EventEnvelope.make(OrderAwaitingPayment(orderID: "O1", channel: .web, channelOrderID: "W1", amountDue: .fen(12_900), reasonCode: "payment_failed",
                                                                   dueAt: Self.shanghai("2026-12-07T10:15:00"), at: Date()), orderID: "O1", producer: .intake)
        #expect(try planner.plan(awaiting, order: order, parcel: nil)?.variables["dueAt"] == "2026-12-07 10:15")
        #expect(try planner.plan(awaiting, order: order, parcel: nil)?.variables["amountDue"] == "¥129.00")
        // Every planned variable is one its type's templates may use.
        for planned in [shipped] + [try planner.plan(cancelled, order: order, parcel: nil), try planner.plan(awaiting, order: order, parcel: nil)] {
            #expect(Set(planned!.variables.keys).isSubset(of: Set(planned!.type.variables)))
        }
        #expect(NotificationPlanner.carrierName("ZTO-ECONOMY", language: "en") == "ZTO Express")
        #expect(NotificationPlanner.carrierName("ACME", language: "zh-CN") == "ACME")
    }
}
