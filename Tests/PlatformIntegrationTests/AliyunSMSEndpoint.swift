import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Aliyun's SMS API (`dysmsapi`, `SendSms`, version 2017-05-25) for tests: a real HTTP server on
/// loopback that checks each request as Aliyun documents it (HMAC-SHA1 over
/// `POST&%2F&<percent-encoded sorted query>` with the key `secret&`, computed here independently
/// of the service's code; the timestamp within 15 minutes; a nonce used once) and answers in
/// Aliyun's JSON, as scripted per phone number: OK with a `BizId`, throttling
/// (`isv.BUSINESS_LIMIT_CONTROL`) for the first n sends, an invalid number
/// (`isv.MOBILE_NUMBER_ILLEGAL`), a template not approved (`isv.SMS_TEMPLATE_ILLEGAL`), or an answer
/// that comes after the caller gave up (the message is delivered, the caller does not know).
final class AliyunSMSEndpoint: Sendable {
    static let accessKeyID = "LTAI-test-key"
    static let secret = "test-access-key-secret-0123456789"
    static let signName = "示例零售"

    enum Behavior: Sendable, Equatable {
        case accept
        case throttle(times: Int)
        case invalidNumber
        /// The first send is delivered but answered after `Duration`.
        case answerLate(Duration)
    }

    /// One send that arrived.
    struct Message: Sendable {
        var phone: String
        var templateCode: String
        var parameters: [String: String]
        var outID: String
        var signatureValid: Bool
        var answered: String
    }

    struct State: Sendable {
        var behaviors: [String: Behavior] = [:]
        var unapprovedTemplates: Set<String> = []
        var seen: [String: Int] = [:]
        var nonces: Set<String> = []
        var messages: [Message] = []
    }

    let port: Int
    let state = NIOLockedValueBox(State())

    init(port: Int) { self.port = port }

    var environment: [String: String] {
        ["OMS_SMS_ACCESS_KEY_ID": Self.accessKeyID, "OMS_SMS_ACCESS_KEY_SECRET": Self.secret, "OMS_SMS_SIGN_NAME": Self.signName,
         "OMS_SMS_ENDPOINT": "http://127.0.0.1:\(port)/"]
    }

    func behave(_ phone: String, _ behavior: Behavior) { state.withLockedValue { $0.behaviors[phone] = behavior } }
    func refuseTemplate(_ code: String) { state.withLockedValue { _ = $0.unapprovedTemplates.insert(code) } }
    var messages: [Message] { state.withLockedValue { $0.messages } }
    /// Messages the provider took (delivered to the phone).
    func delivered(to phone: String) -> [Message] { messages.filter { $0.phone == phone && ($0.answered == "OK" || $0.answered == "OK-late") } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/") { request, _ in try await self.send(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    private func send(_ request: Request) async throws -> Response {
        let parameters = MarketplaceEndpoint.form(String(buffer: try await request.body.collect(upTo: 1 << 20)))
        let phone = parameters["PhoneNumbers"] ?? "", code = parameters["TemplateCode"] ?? ""
        let variables = ((try? JSONSerialization.jsonObject(with: Data((parameters["TemplateParam"] ?? "{}").utf8))) as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let signatureValid = parameters["Signature"] == Self.signature(parameters) && parameters["AccessKeyId"] == Self.accessKeyID
            && parameters["SignatureMethod"] == "HMAC-SHA1" && parameters["SignatureVersion"] == "1.0" && Self.fresh(parameters["Timestamp"])
        let nonceFresh = state.withLockedValue { $0.nonces.insert(parameters["SignatureNonce"] ?? "").inserted }
        func answer(_ code: String, _ message: String, status: HTTPResponse.Status = .ok, biz: String? = nil) throws -> Response {
            state.withLockedValue {
                $0.messages.append(Message(phone: phone, templateCode: parameters["TemplateCode"] ?? "", parameters: variables, outID: parameters["OutId"] ?? "",
                                           signatureValid: signatureValid, answered: code))
            }
            var body: [String: Any] = ["Code": code, "Message": message, "RequestId": UUID().uuidString]
            if let biz { body["BizId"] = biz }
            var response = try MarketplaceEndpoint.json(body)
            response.status = status
            return response
        }
        guard signatureValid else { return try answer("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", status: .badRequest) }
        guard nonceFresh else { return try answer("SignatureNonceUsed", "Specified signature nonce was used already.", status: .badRequest) }
        guard parameters["Action"] == "SendSms", parameters["Version"] == "2017-05-25", parameters["SignName"] == Self.signName else {
            return try answer("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法")
        }
        if state.withLockedValue({ $0.unapprovedTemplates.contains(code) }) { return try answer("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)") }
        let behavior = state.withLockedValue { state -> Behavior in
            let behavior = state.behaviors[phone] ?? .accept
            state.seen[phone, default: 0] += 1
            if case .throttle(let times) = behavior { return state.seen[phone]! <= times ? behavior : .accept }
            if case .answerLate = behavior { return state.seen[phone]! == 1 ? behavior : .accept }
            return behavior
        }
        switch behavior {
        case .throttle:
            return try answer("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
        case .invalidNumber:
            return try answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        case .answerLate(let delay):
            state.withLockedValue {
                $0.messages.append(Message(phone: phone, templateCode: code, parameters: variables, outID: parameters["OutId"] ?? "", signatureValid: true, answered: "OK-late"))
            }
            try? await Task.sleep(for: delay)
            return try MarketplaceEndpoint.json(["Code": "OK", "Message": "OK", "BizId": "late", "RequestId": UUID().uuidString])
        case .accept:
            return try answer("OK", "OK", biz: "\(Int(Date().timeIntervalSince1970 * 1000))^\(UUID().uuidString.prefix(8))")
        }
    }

    /// Aliyun's signature, from its documentation: RFC 3986 encoding (only `A-Za-z0-9-_.~` kept).
    static func signature(_ parameters: [String: String]) -> String {
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")) ?? text
        }
        let canonical = parameters.filter { $0.key != "Signature" }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
        let toSign = "POST&" + encode("/") + "&" + encode(canonical)
        return Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(toSign.utf8), using: SymmetricKey(data: Data((secret + "&").utf8)))).base64EncodedString()
    }

    static func fresh(_ timestamp: String?) -> Bool {
        guard let timestamp, let date = ISO8601DateFormatter().date(from: timestamp) else { return false }
        return abs(date.timeIntervalSinceNow) < 900
    }
}
