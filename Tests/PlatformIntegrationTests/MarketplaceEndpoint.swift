import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// A marketplace open-API gateway for tests, a real HTTP server on loopback that answers in the
/// platforms' shapes: `POST /router/rest` as Taobao's TOP router and `POST /routerjson` as JD's
/// JOS router. Each checks the request's signature the way the platforms document it (computed
/// here independently of the service's code: MD5 over secret + sorted name-value pairs + secret,
/// uppercase hex) and its timestamp, refuses a bad one with the platform's error, and answers as
/// scripted per platform order id or listing: success, throttling for the first n calls, or a
/// business refusal with the platform's codes.
final class MarketplaceEndpoint: Sendable {
    static let appKey = "12345678"
    static let secret = "test-app-secret-0123456789abcdef"
    static let session = "6100e23657fb0b2d0c78570ac1cbe5c5"
    static let jdAccessToken = "jd-access-token-test"

    enum Behavior: Sendable, Equatable {
        case accept
        /// TOP code 7 / JOS code 85 for the first `times` calls, then accept.
        case throttle(times: Int)
        /// A business refusal: TOP `isv.` sub-code, JOS `success: false`.
        case refuse
        /// The first call goes through but its answer comes after this long (longer than the
        /// caller waits): the platform has shipped the trade, the caller does not know.
        case answerLate(Duration)
    }

    /// One call that arrived.
    struct Call: Sendable {
        var router: String
        var method: String
        var parameters: [String: String]
        /// The call's own parameters (JOS: decoded from `360buy_param_json`).
        var own: [String: String]
        var signatureValid: Bool
        var answered: String
    }

    struct State: Sendable {
        /// Trades shipped whole (offline.send without sub_tid accepted).
        var shipped: Set<String> = []
        /// TOP calls as they arrive (method and subject), before any answer.
        var started: [String] = []
        var behaviors: [String: Behavior] = [:]
        var seen: [String: Int] = [:]
        var calls: [Call] = []
    }

    let port: Int
    let state = NIOLockedValueBox(State())

    init(port: Int) { self.port = port }

    var topURL: String { "http://127.0.0.1:\(port)/router/rest" }
    var josURL: String { "http://127.0.0.1:\(port)/routerjson" }

    /// The integrations settings pointing at this endpoint.
    var environment: [String: String] {
        ["OMS_TAOBAO_APP_KEY": Self.appKey, "OMS_TAOBAO_APP_SECRET": Self.secret, "OMS_TAOBAO_SESSION": Self.session, "OMS_TAOBAO_GATEWAY_URL": topURL,
         "OMS_JD_APP_KEY": Self.appKey, "OMS_JD_APP_SECRET": Self.secret, "OMS_JD_ACCESS_TOKEN": Self.jdAccessToken, "OMS_JD_GATEWAY_URL": josURL]
    }

    /// Scripts the answers about `subject` (a platform order id, or a listing id).
    func behave(_ subject: String, _ behavior: Behavior) { state.withLockedValue { $0.behaviors[subject] = behavior } }
    var calls: [Call] { state.withLockedValue { $0.calls } }
    /// TOP calls that arrived (answered or not), as "method subject".
    var started: [String] { state.withLockedValue { $0.started } }
    func calls(_ method: String) -> [Call] { calls.filter { $0.method == method } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/router/rest") { request, _ in try await self.top(request) }
        router.post("/routerjson") { request, _ in try await self.jos(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    // MARK: TOP

    private func top(_ request: Request) async throws -> Response {
        let parameters = Self.form(String(buffer: try await request.body.collect(upTo: 1 << 20)))
        let method = parameters["method"] ?? ""
        let valid = parameters["app_key"] == Self.appKey && parameters["session"] == Self.session && parameters["v"] == "2.0"
            && parameters["sign_method"] == "md5" && parameters["sign"] == Self.md5Sign(parameters) && Self.fresh(parameters["timestamp"])
        let subject = parameters["tid"] ?? parameters["num_iid"] ?? ""
        state.withLockedValue { $0.started.append("\(method) \(subject)") }
        var answer: [String: Any]
        var outcome = "accepted"
        if !valid {
            answer = ["error_response": ["code": 25, "msg": "Invalid signature", "request_id": "test"]]
            outcome = "bad-signature"
        } else if method == "taobao.trade.get" {
            let shipped = state.withLockedValue { $0.shipped.contains(subject) }
            answer = ["trade_get_response": ["trade": ["tid": subject, "status": shipped ? "WAIT_BUYER_CONFIRM_GOODS" : "WAIT_SELLER_SEND_GOODS"]]]
            outcome = "status"
        } else if method == "taobao.logistics.offline.send", parameters["sub_tid"] == nil, state.withLockedValue({ $0.shipped.contains(subject) }) {
            answer = ["error_response": ["code": 15, "msg": "Remote service error", "sub_code": "isv.logistics-offline-service-error:B27",
                                         "sub_msg": "订单已发货，不能重复发货", "request_id": "test"]]
            outcome = "already-shipped"
        } else {
            switch next(subject) {
            case .answerLate(let delay):
                state.withLockedValue { _ = $0.shipped.insert(subject) }
                try? await Task.sleep(for: delay)
                answer = [method.replacingOccurrences(of: "taobao.", with: "").replacingOccurrences(of: ".", with: "_") + "_response": ["shipping": ["is_success": true]]]
                outcome = "accepted-late"
            case .throttle:
                answer = ["error_response": ["code": 7, "msg": "App Call Limited", "sub_code": "accesscontrol.limited-by-app-access-count",
                                             "sub_msg": "This ban will last for 1 more seconds", "request_id": "test"]]
                outcome = "throttled"
            case .refuse:
                answer = ["error_response": ["code": 15, "msg": "Remote service error", "sub_code": "isv.logistics-offline-service-error:B04",
                                             "sub_msg": "订单状态不允许发货", "request_id": "test"]]
                outcome = "refused"
            case .accept:
                let stem = method.replacingOccurrences(of: "taobao.", with: "").replacingOccurrences(of: ".", with: "_") + "_response"
                answer = method == "taobao.item.quantity.update"
                    ? [stem: ["item": ["num_iid": Int(parameters["num_iid"] ?? "") ?? 0, "num": Int(parameters["quantity"] ?? "") ?? 0, "modified": "2026-12-06 12:00:00"]]]
                    : [stem: ["shipping": ["is_success": true]]]
                if method == "taobao.logistics.offline.send" && parameters["sub_tid"] == nil { state.withLockedValue { _ = $0.shipped.insert(subject) } }
            }
        }
        record(Call(router: "top", method: method, parameters: parameters, own: parameters, signatureValid: valid, answered: outcome))
        return try Self.json(answer)
    }

    // MARK: JOS

    private func jos(_ request: Request) async throws -> Response {
        let parameters = Self.form(String(buffer: try await request.body.collect(upTo: 1 << 20)))
        let method = parameters["method"] ?? ""
        let own = ((try? JSONSerialization.jsonObject(with: Data((parameters["360buy_param_json"] ?? "{}").utf8))) as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let valid = parameters["app_key"] == Self.appKey && parameters["access_token"] == Self.jdAccessToken && parameters["v"] == "2.0"
            && parameters["sign"] == Self.md5Sign(parameters) && Self.fresh(parameters["timestamp"])
        let subject = own["order_id"] ?? own["skuId"] ?? ""
        let stem = method.replacingOccurrences(of: ".", with: "_") + "_responce"
        var answer: [String: Any]
        var outcome = "accepted"
        if !valid {
            answer = ["error_response": ["code": "19", "zh_desc": "签名错误", "en_desc": "Invalid signature"]]
            outcome = "bad-signature"
        } else {
            switch next(subject) {
            case .throttle:
                answer = ["error_response": ["code": "85", "zh_desc": "调用次数超限", "en_desc": "Call limited"]]
                outcome = "throttled"
            case .refuse:
                answer = [stem: ["code": "0", "sopjosshipment_result": ["success": false, "errorCode": "10400001", "chineseErrCode": "订单已出库"]]]
                outcome = "refused"
            case .accept, .answerLate:
                answer = method == "jingdong.pop.order.shipment"
                    ? [stem: ["code": "0", "sopjosshipment_result": ["success": true, "errorCode": "", "chineseErrCode": "成功"]]]
                    : [stem: ["code": "0", "success": true]]
            }
        }
        record(Call(router: "jos", method: method, parameters: parameters, own: own, signatureValid: valid, answered: outcome))
        return try Self.json(answer)
    }

    // MARK: helpers

    private func next(_ subject: String) -> Behavior {
        state.withLockedValue { state in
            let behavior = state.behaviors[subject] ?? .accept
            state.seen[subject, default: 0] += 1
            if case .throttle(let times) = behavior { return state.seen[subject]! <= times ? .throttle(times: times) : .accept }
            if case .answerLate = behavior { return state.seen[subject]! == 1 ? behavior : .accept }
            return behavior
        }
    }

    private func record(_ call: Call) { state.withLockedValue { $0.calls.append(call) } }

    /// The platforms' signature, from their documentation.
    static func md5Sign(_ parameters: [String: String]) -> String {
        let pairs = parameters.filter { $0.key != "sign" }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { $0.key + $0.value }.joined()
        return Insecure.MD5.hash(data: Array((secret + pairs + secret).utf8)).map { String(format: "%02X", $0) }.joined()
    }

    /// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, within 10 minutes of now (TOP's tolerance).
    static func fresh(_ timestamp: String?) -> Bool {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard let timestamp, let date = formatter.date(from: timestamp) else { return false }
        return abs(date.timeIntervalSinceNow) < 600
    }

    static func form(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    static func json(_ object: [String: Any]) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))))
    }
}
