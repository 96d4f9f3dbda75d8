import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// 诺诺开放平台's `/open/v1/services` for tests, a real HTTP server on loopback: it checks the
/// query (`senid`, `nonce`, `timestamp` within 10 minutes, `appkey`), the `accessToken`, `userTax`
/// and `method` headers, and `X-Nuonuo-Sign` (Base64 HMAC-SHA1 over
/// `a=services&l=v1&p=open&k=…&i=…&n=…&t=…&f=<body>`, computed here independently of the
/// service's code), and answers in Nuonuo's envelope: `E0000` with an `invoiceSerialNum` per
/// `orderNo` (a repeat `orderNo` is refused, `E9106`), `070301` for a bad signature, and per
/// `orderNo` scripted 502s or a business refusal.
final class NuonuoEndpoint: Sendable {
    static let appKey = "OMS_TEST_APPKEY"
    static let appSecret = "nuonuo-test-secret-0123456789"
    static let accessToken = "nuonuo-test-token"

    enum Behavior: Sendable, Equatable {
        case accept
        case failHTTP(times: Int)
        case refuse(code: String, describe: String)
    }

    struct Submission: Sendable {
        var orderNo: String
        var invoiceType: String
        var buyerName: String
        var buyerTaxNum: String
        var invoiceNum: String?
        var total: String
        var answered: String
    }

    struct State: Sendable {
        var behaviors: [String: Behavior] = [:]
        var seen: [String: Int] = [:]
        var issued: [String: String] = [:]
        var next = 24_120_800_000_001
        var submissions: [Submission] = []
        var badSignatures = 0
    }

    let port: Int
    let state = NIOLockedValueBox(State())

    init(port: Int) { self.port = port }

    var environment: [String: String] {
        ["OMS_NUONUO_URL": "http://127.0.0.1:\(port)/open/v1/services", "OMS_NUONUO_APP_KEY": Self.appKey, "OMS_NUONUO_APP_SECRET": Self.appSecret,
         "OMS_NUONUO_ACCESS_TOKEN": Self.accessToken]
    }

    func behave(_ orderNo: String, _ behavior: Behavior) { state.withLockedValue { $0.behaviors[orderNo] = behavior } }
    var submissions: [Submission] { state.withLockedValue { $0.submissions } }
    var issued: [String: String] { state.withLockedValue { $0.issued } }
    var badSignatures: Int { state.withLockedValue { $0.badSignatures } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/open/v1/services") { request, _ in try await self.services(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    static func expectedSign(senid: String, nonce: String, timestamp: String, body: [UInt8]) -> String {
        let message = Array("a=services&l=v1&p=open&k=\(appKey)&i=\(senid)&n=\(nonce)&t=\(timestamp)&f=".utf8) + body
        return Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: Array(appSecret.utf8)))).base64EncodedString()
    }

    private func services(_ request: Request) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
        let query = request.uri.queryParameters
        let senid = query["senid"].map(String.init) ?? "", nonce = query["nonce"].map(String.init) ?? "", timestamp = query["timestamp"].map(String.init) ?? ""
        let fresh = Double(timestamp).map { abs($0 - Date().timeIntervalSince1970) < 600 } ?? false
        let headers = request.headers
        let valid = fresh && query["appkey"].map(String.init) == Self.appKey && senid.count == 32 && !nonce.isEmpty
            && headers[HTTPField.Name("accessToken")!] == Self.accessToken && headers[HTTPField.Name("method")!] == "nuonuo.OpeMplatform.requestBillingNew"
            && headers[HTTPField.Name("X-Nuonuo-Sign")!] == Self.expectedSign(senid: senid, nonce: nonce, timestamp: timestamp, body: body)
        guard valid else {
            state.withLockedValue { $0.badSignatures += 1 }
            return try Self.envelope("070301", "签名校验失败", serial: nil)
        }
        let order = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["order"] as? [String: Any] ?? [:]
        let orderNo = order["orderNo"] as? String ?? ""
        let details = order["invoiceDetail"] as? [[String: Any]] ?? []
        let total = details.compactMap { Decimal(string: $0["taxIncludedAmount"] as? String ?? "") }.reduce(Decimal(0), +)
        guard headers[HTTPField.Name("userTax")!] == order["salerTaxNum"] as? String, !orderNo.isEmpty, !details.isEmpty else {
            return try Self.envelope("E9101", "参数错误：订单编号、销方税号或明细缺失", serial: nil)
        }
        let decision: (status: HTTPResponse.Status, code: String, describe: String, serial: String?) = state.withLockedValue { state in
            state.seen[orderNo, default: 0] += 1
            switch state.behaviors[orderNo] ?? .accept {
            case .failHTTP(let times) where state.seen[orderNo]! <= times:
                return (.badGateway, "", "", nil)
            case .refuse(let code, let describe):
                return (.ok, code, describe, nil)
            default:
                if state.issued[orderNo] != nil { return (.ok, "E9106", "订单编号重复", nil) }
                let serial = String(state.next)
                state.next += 1
                state.issued[orderNo] = serial
                return (.ok, "E0000", "开票提交成功", serial)
            }
        }
        state.withLockedValue {
            $0.submissions.append(Submission(orderNo: orderNo, invoiceType: order["invoiceType"] as? String ?? "", buyerName: order["buyerName"] as? String ?? "",
                                             buyerTaxNum: order["buyerTaxNum"] as? String ?? "", invoiceNum: order["invoiceNum"] as? String,
                                             total: "\(total)", answered: decision.status == .ok ? decision.code : "HTTP \(decision.status.code)"))
        }
        guard decision.status == .ok else { return Response(status: decision.status) }
        return try Self.envelope(decision.code, decision.describe, serial: decision.serial)
    }

    static func envelope(_ code: String, _ describe: String, serial: String?) throws -> Response {
        var answer: [String: Any] = ["code": code, "describe": describe]
        if let serial { answer["result"] = ["invoiceSerialNum": serial] }
        let data = try JSONSerialization.data(withJSONObject: answer)
        return Response(status: .ok, headers: [.contentType: "application/json;charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
