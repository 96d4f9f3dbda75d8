import AsyncHTTPClient
import CryptoExtras
import Foundation
import NIOCore
import OMSDomain
import OMSPlatform

/// Refunds through Alipay's open API (`alipay.trade.refund` on the gateway): the original
/// `trade_no`, `out_request_no` = the refund id (Alipay's idempotency key), the amount in yuan
/// with two decimals, every request signed `RSA2` over its sorted parameters. Alipay answers
/// synchronously; `fund_change` "N" (a repeat of a refund already paid, or one still under way) is
/// settled by `alipay.trade.fastpay.refund.query`. Answers are believed only when Alipay's
/// signature over the response object verifies. Invariant: every outcome is a `ProviderAnswer`.
struct AlipayRefunds: PaymentProvider {
    /// `OMS_ALIPAY_*` settings.
    struct Configuration: Sendable {
        var gatewayURL: String
        var appId: String
        var privateKey: _RSA.Signing.PrivateKey
        var alipayPublicKey: _RSA.Signing.PublicKey
        var timeoutSeconds: Int64
    }

    /// Sub-codes Alipay documents as transient: retry with the same `out_request_no`.
    static let retryableSubCodes: Set<String> = ["ACQ.SYSTEM_ERROR", "ACQ.SELLER_BALANCE_NOT_ENOUGH", "ACQ.REFUND_CHARGE_ERROR", "aop.ACQ.SYSTEM_ERROR"]

    let configuration: Configuration
    var name: String { "alipay" }

    /// The common answer fields of `alipay_trade_refund_response` and the refund query's response.
    struct Answer: Codable {
        var code: String
        var msg: String?
        var sub_code: String?
        var sub_msg: String?
        var trade_no: String?
        var fund_change: String?
        var refund_status: String?
    }

    func refund(_ submission: RefundSubmission) async -> ProviderAnswer {
        guard let trade = submission.transactionId, !trade.isEmpty else {
            return .rejected(code: "NO_TRADE_NO", message: "the order's payment carries no Alipay trade_no")
        }
        let biz: [String: String] = ["trade_no": trade, "out_request_no": submission.refundId, "refund_amount": submission.amount.yuanString,
                                     "refund_reason": String(submission.reason.prefix(80))]
        let refunded = await call("alipay.trade.refund", biz: biz)
        guard case .answered(let answer) = refunded else { return refunded.providerAnswer }
        if answer.fund_change == "Y" { return .succeeded(providerRefundId: "\(answer.trade_no ?? trade)/\(submission.refundId)") }
        let queried = await call("alipay.trade.fastpay.refund.query", biz: ["trade_no": trade, "out_request_no": submission.refundId])
        guard case .answered(let query) = queried else { return queried.providerAnswer }
        return query.refund_status == "REFUND_SUCCESS" ? .succeeded(providerRefundId: "\(query.trade_no ?? trade)/\(submission.refundId)") : .processing(providerRefundId: nil)
    }

    enum CallResult {
        case answered(Answer)
        case failed(ProviderAnswer)

        var providerAnswer: ProviderAnswer {
            switch self {
            case .answered: .processing(providerRefundId: nil)
            case .failed(let answer): answer
            }
        }
    }

    func call(_ method: String, biz: [String: String], now: Date = Date()) async -> CallResult {
        do {
            let parameters = try signedParameters(method: method, biz: biz, now: now)
            let form = FormEncoding.body(parameters)
            var http = HTTPClientRequest(url: configuration.gatewayURL)
            http.method = .POST
            http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
            http.body = .bytes(ByteBuffer(string: form))
            let response = try await HTTPClient.shared.execute(http, timeout: .seconds(configuration.timeoutSeconds))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status.code == 200 else { return .failed(.retryable(code: "HTTP_\(response.status.code)", message: "gateway answered \(response.status.code)")) }
            let key = method.replacingOccurrences(of: ".", with: "_") + "_response"
            guard let object = Self.rawObject(named: key, in: text) else { return .failed(.retryable(code: "MALFORMED_ANSWER", message: "no \(key) in the answer")) }
            let answer = try JSONDecoder().decode(Answer.self, from: Data(object.utf8))
            if answer.code == "10000" {
                guard let signature = try JSONDecoder().decode([String: AnyCodableString].self, from: Data(text.utf8))["sign"]?.value,
                      ProviderSignature.verify(signature, of: object, with: configuration.alipayPublicKey) else {
                    return .failed(.retryable(code: "ANSWER_SIGNATURE_INVALID", message: "Alipay's answer signature did not verify; asking again"))
                }
                return .answered(answer)
            }
            let code = answer.sub_code ?? answer.code
            let message = answer.sub_msg ?? answer.msg ?? code
            return .failed(answer.code == "20000" || Self.retryableSubCodes.contains(code) ? .retryable(code: code, message: message) : .rejected(code: code, message: message))
        } catch {
            return .failed(.retryable(code: "TRANSPORT", message: String(describing: error).prefix(200).description))
        }
    }

    /// The request's public parameters plus `sign`: RSA2 over `k=v&…` sorted by key, empty values left out.
    func signedParameters(method: String, biz: [String: String], now: Date) throws -> [String: String] {
        var parameters = ["app_id": configuration.appId, "method": method, "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
                          "timestamp": Self.shanghaiTimestamp(now), "version": "1.0",
                          "biz_content": String(decoding: try Self.sortedJSON.encode(biz), as: UTF8.self)]
        parameters["sign"] = try ProviderSignature.sign(Self.signingContent(parameters), with: configuration.privateKey)
        return parameters
    }

    static func signingContent(_ parameters: [String: String]) -> String {
        parameters.filter { $0.key != "sign" && !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    static let sortedJSON: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()


    /// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as the gateway expects.
    static func shanghaiTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }


    /// The exact text of the JSON object under `key`: Alipay signs those bytes, not a re-encoding.
    static func rawObject(named key: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let range = text.range(of: "\"\(key)\"") else { return nil }
        var i = text.utf8.distance(from: text.utf8.startIndex, to: range.upperBound)
        while i < bytes.count, bytes[i] != UInt8(ascii: "{") {
            guard bytes[i] == UInt8(ascii: ":") || bytes[i] == UInt8(ascii: " ") else { return nil }
            i += 1
        }
        let start = i
        var depth = 0, inString = false, escaped = false
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return String(decoding: bytes[start...i], as: UTF8.self) }
            }
            i += 1
        }
        return nil
    }
}

/// Decodes a JSON value that is a string, and ignores anything else (Alipay's answer objects).
struct AnyCodableString: Decodable {
    var value: String?
    init(from decoder: Decoder) throws {
        value = try? decoder.singleValueContainer().decode(String.self)
    }
}

extension AlipayRefunds.Configuration {
    /// Configured when `OMS_ALIPAY_APP_ID` is set; then the keys are required.
    static func from(_ environment: [String: String]) throws -> Self? {
        guard let app = environment["OMS_ALIPAY_APP_ID"], !app.isEmpty else { return nil }
        let privateKey: _RSA.Signing.PrivateKey, publicKey: _RSA.Signing.PublicKey
        do { privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: ProviderSignature.pem(environment["OMS_ALIPAY_PRIVATE_KEY"] ?? "")) } catch {
            throw ConfigurationError(key: "OMS_ALIPAY_PRIVATE_KEY", reason: "required when OMS_ALIPAY_APP_ID is set: the app's RSA private key (PEM)")
        }
        do { publicKey = try _RSA.Signing.PublicKey(pemRepresentation: ProviderSignature.pem(environment["OMS_ALIPAY_PUBLIC_KEY"] ?? "")) } catch {
            throw ConfigurationError(key: "OMS_ALIPAY_PUBLIC_KEY", reason: "required when OMS_ALIPAY_APP_ID is set: Alipay's RSA public key (PEM)")
        }
        return Self(gatewayURL: environment["OMS_ALIPAY_GATEWAY_URL"] ?? "https://openapi.alipay.com/gateway.do", appId: app,
                    privateKey: privateKey, alipayPublicKey: publicKey,
                    timeoutSeconds: Int64(try EnvironmentReader(environment).integer("OMS_PAYMENT_TIMEOUT_SECONDS", 10, 1...120)))
    }
}
