import Crypto
import Foundation
import OMSDomain
import Testing
@testable import IntegrationsService

/// The pure rules of webhook delivery: retries, receiver URLs, signatures, payload masking.
@Suite("Webhook rules: retry schedule, receiver URLs, signatures, masking")
struct WebhookRulesTests {
    @Test("the default schedule makes at least 8 attempts over at least 4 hours; 2xx delivers, 410 ends the subscription, anything else retries until the last attempt")
    func retrySchedule() {
        let policy = WebhookRetryPolicy()
        #expect(policy.maxAttempts >= 8)
        #expect(policy.minimumSpanMilliseconds >= 4 * 3_600_000, "\(policy.minimumSpanMilliseconds) ms")
        #expect(policy.step(after: .answered(200), attempt: 1) == .delivered)
        #expect(policy.step(after: .answered(204), attempt: 8) == .delivered)
        #expect(policy.step(after: .answered(410), attempt: 1) == .gone)
        for failure: WebhookRetryPolicy.Result in [.answered(500), .answered(404), .answered(429), .answered(301), .unreachable("timeout")] {
            #expect(policy.step(after: failure, attempt: 1, jitter: 0) == .retry(afterMilliseconds: 120_000), "\(failure)")
            #expect(policy.step(after: failure, attempt: 8, jitter: 0) == .failed, "\(failure)")
        }
        // Waits double; jitter only lengthens them (never more than a quarter); the cap holds.
        #expect(policy.wait(afterAttempt: 3, jitter: 0) == 480_000)
        #expect(policy.wait(afterAttempt: 3, jitter: 1) == 600_000)
        #expect(policy.wait(afterAttempt: 40, jitter: 0) == policy.capMilliseconds)
        let configured = WebhookRetryPolicy(maxAttempts: 3, baseMilliseconds: 100)
        #expect(configured.step(after: .answered(503), attempt: 2, jitter: 0.5) == .retry(afterMilliseconds: 225))
        #expect(configured.step(after: .answered(503), attempt: 3) == .failed)
    }

    @Test("receiver URLs: https anywhere, http only to loopback; never link-local, metadata, credentials or odd numeric hosts", arguments: [
        ("https://erp.example.com/hooks/oms", true), ("https://10.1.2.3:8443/hook", true), ("http://127.0.0.1:9000/hook", true),
        ("http://localhost:9000/hook", true), ("http://[::1]:9000/hook", true), ("https://[2001:db8::1]/hook", true),
        ("http://erp.example.com/hook", false), ("ftp://example.com/x", false), ("file:///etc/passwd", false), ("https://169.254.169.254/latest/meta-data", false),
        ("https://metadata.google.internal/computeMetadata/v1", false), ("https://user:pw@example.com/x", false), ("https://example.com/x#frag", false),
        ("https://[fe80::1]/x", false), ("https://0.0.0.0/x", false), ("https://2130706433/x", false), ("https://0x7f.0.0.1/x", false),
        ("https://010.0.0.1/x", false), ("https://224.0.0.1/x", false), ("not a url", false), ("", false), ("https://", false),
        ("https://example.com/" + String(repeating: "a", count: 2_001), false),
    ])
    func receiverURLs(url: String, accepted: Bool) {
        #expect((WebhookEndpointRule.problem(with: url) == nil) == accepted, "\(url): \(WebhookEndpointRule.problem(with: url) ?? "accepted")")
    }

    @Test("a signature verifies only with the secret, the exact body and a fresh timestamp")
    func signatures() {
        let body = Array(#"{"id":"e1","type":"order.received"}"#.utf8)
        let now = Date()
        let timestamp = Int64(now.timeIntervalSince1970)
        let signature = WebhookSignature.sign(body: body, timestamp: timestamp, secret: "whsec_a")
        // The documented construction, computed independently.
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array("whsec_a".utf8)))
        #expect(signature == "v1=" + mac.map { String(format: "%02x", $0) }.joined())
        #expect(WebhookSignature.verify(body: body, timestamp: "\(timestamp)", signature: signature, secret: "whsec_a", now: now))
        #expect(WebhookSignature.verify(body: body, timestamp: "\(timestamp)", signature: "v1=00, " + signature, secret: "whsec_a", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: "\(timestamp)", signature: signature, secret: "whsec_b", now: now))
        #expect(!WebhookSignature.verify(body: body + [0x20], timestamp: "\(timestamp)", signature: signature, secret: "whsec_a", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: "\(timestamp + 1)", signature: signature, secret: "whsec_a", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: "\(timestamp)", signature: signature, secret: "whsec_a", now: now.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(body: body, timestamp: "soon", signature: signature, secret: "whsec_a", now: now))
        let secret = WebhookSignature.newSecret()
        #expect(secret.hasPrefix("whsec_") && secret.count >= 48 && secret != WebhookSignature.newSecret())
    }

    @Test("the masked payload hides the customer's name, phone, e-mail and street, keeps products and amounts; the full one keeps everything")
    func masking() throws {
        let payload = #"{"order":{"orderID":"O-1","channel":"web","customer":{"customerKey":"ck","name":"张三丰","phone":"13812345678","email":"z@example.com"},"deliveryAddress":{"province":"浙江省","city":"杭州市","district":"西湖区","street":"文三路 90 号"},"lines":[{"sku":"CLO-TEE","name":"纯棉T恤","unitPrice":{"minorUnits":9900}}]},"recipientPhone":"13900001111"}"#
        let event = EventEnvelope(type: "order.received", schemaVersion: 1, orderID: "O-1", correlationID: UUID(), causationID: nil, producer: .intake, payload: Array(payload.utf8))
        let (masked, fullOrNil) = try WebhookPayload.bodies(of: event, full: true)
        let full = fullOrNil ?? ""
        #expect(try WebhookPayload.bodies(of: event, full: false).full == nil)
        for secret in ["张三丰", "13812345678", "z@example.com", "文三路", "13900001111"] {
            #expect(!masked.contains(secret), "\(secret) leaked")
            #expect(full.contains(secret))
        }
        for kept in ["张**", "138****5678", "纯棉T恤", "9900", "浙江省", "\"specVersion\":1", "\"type\":\"order.received\"", event.eventID.uuidString.lowercased()] {
            #expect(masked.contains(kept), "\(kept) missing from \(masked)")
        }
        #expect(WebhookPayload.channel(of: event) == "web")
        var shipped = event
        shipped.type = "shipment.dispatched"
        #expect(WebhookPayload.channel(of: shipped) == nil, "only order.received and order.rejected name the channel")
    }

    @Test("a subscription wants its event types, of its channel; with the channel unknown a filtering subscription cannot tell yet")
    func wants() {
        var subscription = WebhookSubscription(subscriptionId: "wh_1", name: "ERP", url: "https://erp.example.com", eventTypes: ["order.received", "shipment.dispatched"],
                                               channel: nil, includePersonalData: false, status: .active, statusReason: nil, consecutiveFailures: 0, createdBy: "ops",
                                               createdAt: Date(), updatedAt: Date())
        #expect(subscription.wants("order.received", channel: nil) == true)
        #expect(subscription.wants("order.verified", channel: "web") == false)
        subscription.channel = "pos"
        #expect(subscription.wants("shipment.dispatched", channel: "pos") == true)
        #expect(subscription.wants("shipment.dispatched", channel: "web") == false)
        #expect(subscription.wants("shipment.dispatched", channel: nil) == nil)
        #expect(WebhookSubscription.subscribableEventTypes.contains("aftersales.refund-issued") || WebhookSubscription.subscribableEventTypes.contains(RefundIssued.eventType))
        #expect(!WebhookSubscription.subscribableEventTypes.contains("intake.raw-order"))
    }
}
