import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// SF Express's open platform (丰桥) for tests, a real HTTP server on loopback: `POST /std/service`
/// checks `partnerID` and the `msgDigest` the way SF documents it (Base64 of the MD5 of the
/// URL-encoded msgData + timestamp + checkWord, computed here independently of the service's code),
/// and answers in SF's envelope. `EXP_RECE_CREATE_ORDER` issues one waybill number per `orderId`
/// and refuses a second order with the same id (`8016` 重复下单); `EXP_RECE_SEARCH_ORDER_RESP`
/// answers the number booked. Scripted per order id: throttling (`A1005`) for the first n calls,
/// a late answer, or a business refusal.
final class SFExpressEndpoint: Sendable {
    static let partnerID = "OMS_TEST_PARTNER"
    static let checkWord = "sf-test-checkword-0123456789"

    enum Behavior: Sendable, Equatable {
        case accept
        case throttle(times: Int)
        /// Answers after this long (the booking is made first, as at SF: a caller that gave up may
        /// find it booked when it asks again).
        case slow(Duration)
        case refuse
    }

    struct Call: Sendable {
        var serviceCode: String
        var orderId: String
        var digestValid: Bool
        var answered: String
    }

    struct State: Sendable {
        var behaviors: [String: Behavior] = [:]
        var defaultBehavior: Behavior = .accept
        var seen: [String: Int] = [:]
        var issued: [String: String] = [:]
        var next = 1_000_000_001
        var calls: [Call] = []
    }

    let port: Int
    let state = NIOLockedValueBox(State())

    init(port: Int) { self.port = port }

    var url: String { "http://127.0.0.1:\(port)/std/service" }
    var environment: [String: String] { ["OMS_SF_PARTNER_ID": Self.partnerID, "OMS_SF_CHECKWORD": Self.checkWord, "OMS_SF_GATEWAY_URL": url, "OMS_SF_MONTHLY_CARD": "7551234567"] }

    func behave(_ orderId: String, _ behavior: Behavior) { state.withLockedValue { $0.behaviors[orderId] = behavior } }
    func behaveByDefault(_ behavior: Behavior) { state.withLockedValue { $0.defaultBehavior = behavior } }
    var calls: [Call] { state.withLockedValue { $0.calls } }
    /// Waybill numbers issued, by order id (one each, by construction of SF's dedup).
    var issued: [String: String] { state.withLockedValue { $0.issued } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/std/service") { request, _ in try await self.service(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    private func service(_ request: Request) async throws -> Response {
        let form = MarketplaceEndpoint.form(String(buffer: try await request.body.collect(upTo: 1 << 20)))
        let msgData = form["msgData"] ?? "", timestamp = form["timestamp"] ?? "", code = form["serviceCode"] ?? ""
        let data = (try? JSONSerialization.jsonObject(with: Data(msgData.utf8))) as? [String: Any] ?? [:]
        let orderId = data["orderId"] as? String ?? ""
        let fresh = Int64(timestamp).map { abs(Double($0) / 1_000 - Date().timeIntervalSince1970) < 900 } ?? false
        let valid = form["partnerID"] == Self.partnerID && form["msgDigest"] == Self.digest(msgData + timestamp + Self.checkWord) && fresh
        guard valid else {
            record(Call(serviceCode: code, orderId: orderId, digestValid: false, answered: "A1006"))
            return try Self.envelope("A1006", "数字签名无效", nil)
        }
        let behavior: Behavior = state.withLockedValue { state in
            state.seen[orderId, default: 0] += 1
            let scripted = state.behaviors[orderId] ?? state.defaultBehavior
            if case .throttle(let times) = scripted { return state.seen[orderId]! <= times ? scripted : .accept }
            return scripted
        }
        if case .throttle = behavior {
            record(Call(serviceCode: code, orderId: orderId, digestValid: true, answered: "A1005"))
            return try Self.envelope("A1005", "流量受控", nil)
        }
        if behavior == .refuse {
            record(Call(serviceCode: code, orderId: orderId, digestValid: true, answered: "8019"))
            return try Self.envelope("A1000", "", ["success": false, "errorCode": "8019", "errorMsg": "寄件地址不在服务范围", "msgData": NSNull()])
        }
        var answer: [String: Any]
        var outcome: String
        switch code {
        case "EXP_RECE_CREATE_ORDER":
            let (number, duplicate): (String, Bool) = state.withLockedValue { state in
                if let existing = state.issued[orderId] { return (existing, true) }
                let number = "SF\(state.next)000"
                state.next += 1
                state.issued[orderId] = number
                return (number, false)
            }
            if duplicate {
                answer = ["success": false, "errorCode": "8016", "errorMsg": "重复下单", "msgData": NSNull()]
                outcome = "8016"
            } else {
                answer = ["success": true, "errorCode": "S0000", "errorMsg": NSNull(), "msgData": Self.booked(orderId, number)]
                outcome = "booked"
            }
        case "EXP_RECE_SEARCH_ORDER_RESP":
            if let number = issued[orderId] {
                answer = ["success": true, "errorCode": "S0000", "errorMsg": NSNull(), "msgData": Self.booked(orderId, number)]
                outcome = "found"
            } else {
                answer = ["success": false, "errorCode": "8018", "errorMsg": "未获取到订单信息", "msgData": NSNull()]
                outcome = "8018"
            }
        default:
            answer = ["success": false, "errorCode": "1010", "errorMsg": "服务代码不支持", "msgData": NSNull()]
            outcome = "1010"
        }
        if case .slow(let delay) = behavior { try? await Task.sleep(for: delay) }
        record(Call(serviceCode: code, orderId: orderId, digestValid: true, answered: outcome))
        return try Self.envelope("A1000", "", answer)
    }

    private func record(_ call: Call) { state.withLockedValue { $0.calls.append(call) } }

    static func booked(_ orderId: String, _ number: String) -> [String: Any] {
        ["orderId": orderId, "waybillNoInfoList": [["waybillType": 1, "waybillNo": number]],
         "routeLabelInfo": [["code": "1000", "routeLabelData": ["waybillNo": number, "destRouteLabel": "755WE-571A3", "twoDimensionCode": "MMM={'k1':'755WE'}",
                                                               "codingMapping": "F33", "proCode": "T4"]]]]
    }

    static func envelope(_ code: String, _ message: String, _ data: [String: Any]?) throws -> Response {
        var body: [String: Any] = ["apiResultCode": code, "apiErrorMsg": message, "apiResponseID": UUID().uuidString]
        if let data { body["apiResultData"] = String(decoding: try JSONSerialization.data(withJSONObject: data), as: UTF8.self) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))))
    }

    /// SF's digest, from its documentation: Java's URLEncoder (UTF-8; letters, digits and `.-*_`
    /// kept, space as `+`), then MD5, then Base64.
    static func digest(_ text: String) -> String {
        let keep = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_".utf8)
        let encoded = text.utf8.map { byte -> String in
            if keep.contains(byte) { return String(UnicodeScalar(byte)) }
            if byte == 0x20 { return "+" }
            return String(format: "%%%02X", byte)
        }.joined()
        return Data(Insecure.MD5.hash(data: Array(encoded.utf8))).base64EncodedString()
    }
}
