import AsyncHTTPClient
import Crypto
import CryptoExtras
import Foundation
import NIOCore
import NIOHTTP1
import OMSDomain
import OMSPlatform

/// Refunds through WeChat Pay API v3 (`POST /v3/refund/domestic/refunds`): the original payment's
/// `transaction_id`, `out_refund_no` = the refund id (WeChat Pay's idempotency key: a repeat
/// answers the same refund), amounts in fen. Requests carry the merchant's
/// `WECHATPAY2-SHA256-RSA2048` signature; answers are believed only when WeChat Pay's platform
/// signature verifies. The result arrives later as a `REFUND.*` notification
/// (`WeChatPayNotification`). Invariant: every outcome is a `ProviderAnswer`, never a throw.
struct WeChatPayRefunds: PaymentProvider {
    /// `OMS_WECHATPAY_*` settings. Invariant: the APIv3 key is 32 bytes (AES-256-GCM).
    struct Configuration: Sendable {
        var baseURL: String
        var merchantId: String
        var certificateSerial: String
        var privateKey: _RSA.Signing.PrivateKey
        var platformPublicKey: _RSA.Signing.PublicKey
        var apiV3Key: SymmetricKey
        var notifyURL: String
        var timeoutSeconds: Int64
    }

    static let path = "/v3/refund/domestic/refunds"
    /// Error codes WeChat Pay documents as transient: retry with the same `out_refund_no`.
    static let retryableCodes: Set<String> = ["SYSTEM_ERROR", "FREQUENCY_LIMITED", "NOT_ENOUGH", "ABNORMAL_ERROR"]

    let configuration: Configuration
    var name: String { "wechatpay" }

    struct Amount: Codable { var refund: Int64; var total: Int64; var currency: String }
    struct Request: Codable {
        var transaction_id: String
        var out_refund_no: String
        var reason: String
        var notify_url: String
        var amount: Amount
    }
    struct Answer: Codable { var refund_id: String?; var out_refund_no: String?; var status: String? }
    struct Failure: Codable { var code: String; var message: String? }

    func refund(_ submission: RefundSubmission) async -> ProviderAnswer {
        guard let transaction = submission.transactionId, !transaction.isEmpty else {
            return .rejected(code: "NO_TRANSACTION_ID", message: "the order's payment carries no WeChat Pay transaction id")
        }
        let request = Request(transaction_id: transaction, out_refund_no: submission.refundId, reason: String(submission.reason.prefix(80)),
                              notify_url: configuration.notifyURL,
                              amount: Amount(refund: submission.amount.minorUnits, total: submission.paidTotal.minorUnits, currency: "CNY"))
        do {
            let body = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
            var http = HTTPClientRequest(url: configuration.baseURL + Self.path)
            http.method = .POST
            http.headers.add(name: "Content-Type", value: "application/json")
            http.headers.add(name: "Accept", value: "application/json")
            http.headers.add(name: "Authorization", value: try authorization(method: "POST", path: Self.path, body: body))
            http.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(http, timeout: .seconds(configuration.timeoutSeconds))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let text = String(buffer: bytes)
            guard verify(answer: text, headers: response.headers) else {
                return .retryable(code: "ANSWER_SIGNATURE_INVALID", message: "the answer's Wechatpay-Signature did not verify; asking again")
            }
            guard (200..<300).contains(Int(response.status.code)) else {
                let failure = try? JSONDecoder().decode(Failure.self, from: Data(text.utf8))
                let code = failure?.code ?? "HTTP_\(response.status.code)"
                let message = failure?.message ?? "HTTP \(response.status.code)"
                return Self.retryableCodes.contains(code) || response.status.code >= 500 ? .retryable(code: code, message: message) : .rejected(code: code, message: message)
            }
            let answer = try JSONDecoder().decode(Answer.self, from: Data(text.utf8))
            return Self.answer(status: answer.status, refundId: answer.refund_id)
        } catch {
            return .retryable(code: "TRANSPORT", message: String(describing: error).prefix(200).description)
        }
    }

    /// A refund's `status` (in the answer or a notification) as the OMS reads it.
    static func answer(status: String?, refundId: String?) -> ProviderAnswer {
        switch status {
        case "SUCCESS": .succeeded(providerRefundId: refundId ?? "")
        case "PROCESSING": .processing(providerRefundId: refundId)
        case "CLOSED": .rejected(code: "CLOSED", message: "WeChat Pay closed the refund")
        case "ABNORMAL": .rejected(code: "ABNORMAL", message: "the buyer's account cannot receive it: refund by another route")
        default: .retryable(code: "UNKNOWN_STATUS", message: "status \(status ?? "missing")")
        }
    }

    /// `WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…` over
    /// `method\npath\ntimestamp\nnonce\nbody\n`.
    func authorization(method: String, path: String, body: String, timestamp: Int = Int(Date().timeIntervalSince1970), nonce: String = Self.nonce()) throws -> String {
        let signature = try ProviderSignature.sign("\(method)\n\(path)\n\(timestamp)\n\(nonce)\n\(body)\n", with: configuration.privateKey)
        return #"WECHATPAY2-SHA256-RSA2048 mchid="\#(configuration.merchantId)",nonce_str="\#(nonce)",signature="\#(signature)",timestamp="\#(timestamp)",serial_no="\#(configuration.certificateSerial)""#
    }

    /// WeChat Pay signs answers and notifications alike: `timestamp\nnonce\nbody\n` with its
    /// platform key, in the `Wechatpay-Timestamp`, `-Nonce` and `-Signature` headers.
    func verify(answer body: String, headers: HTTPHeaders, now: Date = Date()) -> Bool {
        guard let timestamp = headers.first(name: "Wechatpay-Timestamp"), let nonce = headers.first(name: "Wechatpay-Nonce"),
              let signature = headers.first(name: "Wechatpay-Signature"), let seconds = Double(timestamp),
              abs(now.timeIntervalSince1970 - seconds) <= 300 else { return false }
        return ProviderSignature.verify(signature, of: "\(timestamp)\n\(nonce)\n\(body)\n", with: configuration.platformPublicKey)
    }

    static func nonce() -> String {
        String((0..<32).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
    }
}

extension WeChatPayRefunds.Configuration {
    /// Configured when `OMS_WECHATPAY_MCHID` is set; then every other key is required.
    static func from(_ environment: [String: String]) throws -> Self? {
        guard let merchant = environment["OMS_WECHATPAY_MCHID"], !merchant.isEmpty else { return nil }
        func required(_ key: String) throws -> String {
            guard let value = environment[key], !value.isEmpty else { throw ConfigurationError(key: key, reason: "required when OMS_WECHATPAY_MCHID is set") }
            return value
        }
        let apiV3Key = try required("OMS_WECHATPAY_APIV3_KEY")
        guard apiV3Key.utf8.count == 32 else { throw ConfigurationError(key: "OMS_WECHATPAY_APIV3_KEY", reason: "must be the 32-character APIv3 key") }
        let privateKey: _RSA.Signing.PrivateKey, platformKey: _RSA.Signing.PublicKey
        do { privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: ProviderSignature.pem(try required("OMS_WECHATPAY_PRIVATE_KEY"))) } catch let error as ConfigurationError { throw error } catch {
            throw ConfigurationError(key: "OMS_WECHATPAY_PRIVATE_KEY", reason: "must be the merchant's RSA private key (PEM)")
        }
        do { platformKey = try _RSA.Signing.PublicKey(pemRepresentation: ProviderSignature.pem(try required("OMS_WECHATPAY_PLATFORM_PUBLIC_KEY"))) } catch let error as ConfigurationError { throw error } catch {
            throw ConfigurationError(key: "OMS_WECHATPAY_PLATFORM_PUBLIC_KEY", reason: "must be WeChat Pay's platform RSA public key (PEM)")
        }
        return Self(baseURL: environment["OMS_WECHATPAY_BASE_URL"] ?? "https://api.mch.weixin.qq.com", merchantId: merchant,
                    certificateSerial: try required("OMS_WECHATPAY_SERIAL_NO"), privateKey: privateKey, platformPublicKey: platformKey,
                    apiV3Key: SymmetricKey(data: Array(apiV3Key.utf8)), notifyURL: try required("OMS_WECHATPAY_NOTIFY_URL"),
                    timeoutSeconds: Int64(try EnvironmentReader(environment).integer("OMS_PAYMENT_TIMEOUT_SECONDS", 10, 1...120)))
    }
}
