import Crypto
import CryptoExtras
import Foundation
import NIOHTTP1
import OMSDomain
import Testing
@testable import AfterSalesService

/// The refund payment rules without a database: retries and their backoff, what a closed order
/// gives back, the providers' signing and answer shapes.
@Suite("Refund payment rules")
struct RefundPaymentTests {
    let policy = RefundRetryPolicy(maxFailures: 3, baseDelaySeconds: 30, maxDelaySeconds: 100, recheckSeconds: 300)

    @Test("retryable faults back off exponentially, capped, and fail for good after maxFailures")
    func backoff() {
        let fault = ProviderAnswer.retryable(code: "SYSTEM_ERROR", message: "busy")
        #expect(policy.step(after: fault, failuresBefore: 0) == .retry(seconds: 30, error: "SYSTEM_ERROR: busy"))
        #expect(policy.step(after: fault, failuresBefore: 1) == .retry(seconds: 60, error: "SYSTEM_ERROR: busy"))
        #expect(policy.step(after: fault, failuresBefore: 2) == .settle(.failed, providerRefundId: nil, reasonCode: "SYSTEM_ERROR"))
        #expect(RefundRetryPolicy(maxFailures: 30, baseDelaySeconds: 30, maxDelaySeconds: 100).delay(afterFailures: 25) == 100)
    }

    @Test("success settles, processing waits for the notification, a refusal fails at once, cash is owed")
    func answers() {
        #expect(policy.step(after: .succeeded(providerRefundId: "5000"), failuresBefore: 5) == .settle(.succeeded, providerRefundId: "5000", reasonCode: nil))
        #expect(policy.step(after: .processing(providerRefundId: "5000"), failuresBefore: 0) == .wait(providerRefundId: "5000", seconds: 300))
        #expect(policy.step(after: .rejected(code: "RESOURCE_NOT_EXISTS", message: ""), failuresBefore: 0) == .settle(.failed, providerRefundId: nil, reasonCode: "RESOURCE_NOT_EXISTS"))
        #expect(policy.step(after: .owed(reason: "cashAtTill_paid_back_by_staff"), failuresBefore: 0) == .settle(.owed, providerRefundId: nil, reasonCode: "cashAtTill_paid_back_by_staff"))
    }

    @Test("a closed order refunds what was paid and not yet refunded; COD, marketplace, refused and pre-release closures refund nothing")
    func closureRule() {
        let since = Date(timeIntervalSince1970: 1_000), after = Date(timeIntervalSince1970: 2_000)
        func decide(_ method: PaymentMethod, paid: Int64 = 10_000, refunded: Int64 = 0, at: Date = after, refused: Bool = false) -> ClosureRefundRule.Decision {
            ClosureRefundRule.decide(method: method, paid: .fen(paid), alreadyRefunded: .fen(refunded), closedAt: at, autoRefundsSince: since, cancellationRefused: refused)
        }
        #expect(decide(.wechatPay) == .refund(.fen(10_000)))
        #expect(decide(.alipay, refunded: 2_500) == .refund(.fen(7_500)))
        #expect(decide(.alipay, refunded: 10_000) == .none("nothing_paid"))
        #expect(decide(.cashAtTill) == .refund(.fen(10_000)))
        #expect(decide(.cashOnDelivery) == .none("nothing_paid"))
        #expect(decide(.marketplace) == .none("paid_on_marketplace"))
        #expect(decide(.wechatPay, refused: true) == .none("cancellation_refused"))
        #expect(decide(.wechatPay, at: Date(timeIntervalSince1970: 500)) == .none("before_auto_refunds"))
        #expect(ClosureRefundRule.awaitsFulfillment(previousStatus: .allocated) && !ClosureRefundRule.awaitsFulfillment(previousStatus: .verified))
    }

    @Test("every payment method has one provider route; an unconfigured provider's refunds are owed")
    func providerRoutes() async {
        #expect(PaymentProviders.providerName(for: .wechatPay) == "wechatpay" && PaymentProviders.providerName(for: .alipay) == "alipay")
        #expect([PaymentMethod.card, .wallet, .cashAtTill, .cashOnDelivery, .marketplace].allSatisfy { PaymentProviders.providerName(for: $0) == "offline" })
        let submission = RefundSubmission(refundId: "RF-1", orderID: "O-1", transactionId: "42", amount: .fen(100), paidTotal: .fen(100), reason: "r", method: .wechatPay)
        #expect(await PaymentProviders().adapter(named: "wechatpay").refund(submission) == .owed(reason: "wechatpay_not_configured"))
        var cash = submission
        cash.method = .cashAtTill
        #expect(await PaymentProviders().adapter(named: "offline").refund(cash) == .owed(reason: "cashAtTill_paid_back_by_staff"))
    }

    @Test("Alipay: amounts in yuan, RSA2 over sorted non-empty parameters, the signed object read byte for byte")
    func alipayShapes() throws {
        #expect(Money.fen(12_345).yuanString == "123.45" && Money.fen(5).yuanString == "0.05" && Money.fen(100).yuanString == "1.00")
        #expect(Money(yuanString: Money.fen(-1_205).yuanString) == .fen(-1_205))
        #expect(AlipayRefunds.signingContent(["b": "2", "a": "1", "sign": "x", "c": ""]) == "a=1&b=2")
        let answer = #"{"alipay_trade_refund_response":{"code":"10000","msg":"Success","buyer_logon_id":"a}b\"c","fund_change":"Y"},"sign":"abc"}"#
        #expect(AlipayRefunds.rawObject(named: "alipay_trade_refund_response", in: answer) == #"{"code":"10000","msg":"Success","buyer_logon_id":"a}b\"c","fund_change":"Y"}"#)
        #expect(AlipayRefunds.shanghaiTimestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 08:00:00")
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let config = AlipayRefunds.Configuration(gatewayURL: "http://127.0.0.1:1/gateway.do", appId: "2021000000000001", privateKey: key, alipayPublicKey: key.publicKey, timeoutSeconds: 1)
        let parameters = try AlipayRefunds(configuration: config).signedParameters(method: "alipay.trade.refund", biz: ["trade_no": "T1", "refund_amount": "1.00"], now: Date())
        #expect(parameters["biz_content"] == #"{"refund_amount":"1.00","trade_no":"T1"}"#)
        #expect(ProviderSignature.verify(parameters["sign"]!, of: AlipayRefunds.signingContent(parameters), with: key.publicKey))
        #expect(!ProviderSignature.verify(parameters["sign"]!, of: AlipayRefunds.signingContent(parameters) + "&x=1", with: key.publicKey))
    }

    @Test("WeChat Pay: the Authorization header signs method, path, time, nonce and body; notifications verify and decrypt, forged ones do not")
    func wechatPayShapes() throws {
        let merchant = try _RSA.Signing.PrivateKey(keySize: .bits2048), platform = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let apiV3 = "0123456789abcdef0123456789abcdef"
        let config = WeChatPayRefunds.Configuration(baseURL: "http://127.0.0.1:1", merchantId: "1900000001", certificateSerial: "SERIAL1", privateKey: merchant,
                                                    platformPublicKey: platform.publicKey, apiV3Key: SymmetricKey(data: Array(apiV3.utf8)), notifyURL: "http://x/n", timeoutSeconds: 1)
        let header = try WeChatPayRefunds(configuration: config).authorization(method: "POST", path: WeChatPayRefunds.path, body: "{}", timestamp: 1_700_000_000, nonce: "N1")
        #expect(header.hasPrefix(#"WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="N1",signature=""#) && header.hasSuffix(#"timestamp="1700000000",serial_no="SERIAL1""#))
        let signature = String(header.split(separator: "signature=\"")[1].prefix { $0 != "\"" })
        #expect(ProviderSignature.verify(signature, of: "POST\n\(WeChatPayRefunds.path)\n1700000000\nN1\n{}\n", with: merchant.publicKey))

        // A REFUND.SUCCESS notification as WeChat Pay sends it.
        let resource = #"{"mchid":"1900000001","out_refund_no":"RF-C-O-1","refund_id":"50300000","refund_status":"SUCCESS","amount":{"refund":100,"total":100}}"#
        let nonce = "abcdefghijkl"
        let sealed = try AES.GCM.seal(Array(resource.utf8), using: SymmetricKey(data: Array(apiV3.utf8)), nonce: AES.GCM.Nonce(data: Array(nonce.utf8)), authenticating: Array("refund".utf8))
        let body = #"{"id":"EV-1","create_time":"2026-12-03T20:00:00+08:00","resource_type":"encrypt-resource","event_type":"REFUND.SUCCESS","summary":"退款成功","resource":{"original_type":"refund","algorithm":"AEAD_AES_256_GCM","ciphertext":"\#((sealed.ciphertext + sealed.tag).base64EncodedString())","associated_data":"refund","nonce":"\#(nonce)"}}"#
        let now = Date()
        func headers(signedBy key: _RSA.Signing.PrivateKey, body: String) throws -> HTTPHeaders {
            let timestamp = "\(Int(now.timeIntervalSince1970))"
            return HTTPHeaders([("Wechatpay-Timestamp", timestamp), ("Wechatpay-Nonce", "NONCE"), ("Wechatpay-Serial", "PLATFORM1"),
                                ("Wechatpay-Signature", try ProviderSignature.sign("\(timestamp)\nNONCE\n\(body)\n", with: key))])
        }
        let opened = try WeChatPayNotification.open(body: body, headers: try headers(signedBy: platform, body: body), configuration: config, now: now)
        #expect(opened == WeChatPayNotification(eventId: "EV-1", outRefundNo: "RF-C-O-1", refundId: "50300000", refundStatus: "SUCCESS", refundFen: 100))
        #expect(opened.answer == .succeeded(providerRefundId: "50300000"))
        #expect(throws: WeChatPayNotification.Failure.signature) {
            try WeChatPayNotification.open(body: body, headers: try headers(signedBy: merchant, body: body), configuration: config, now: now)
        }
        #expect(throws: WeChatPayNotification.Failure.signature) {
            try WeChatPayNotification.open(body: body, headers: try headers(signedBy: platform, body: body), configuration: config, now: now.addingTimeInterval(600))
        }
        let tampered = body.replacingOccurrences(of: "\"nonce\":\"\(nonce)\"", with: "\"nonce\":\"abcdefghijkm\"")
        #expect(throws: WeChatPayNotification.Failure.decryption) {
            try WeChatPayNotification.open(body: tampered, headers: try headers(signedBy: platform, body: tampered), configuration: config, now: now)
        }
        #expect(WeChatPayRefunds.answer(status: "ABNORMAL", refundId: nil) == .rejected(code: "ABNORMAL", message: "the buyer's account cannot receive it: refund by another route"))
    }
}
