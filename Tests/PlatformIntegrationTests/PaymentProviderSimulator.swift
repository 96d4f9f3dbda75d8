import AsyncHTTPClient
import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import OMSDomain
@testable import AfterSalesService

/// A local stand-in for WeChat Pay (API v3 refunds) and Alipay (`alipay.trade.refund`, the refund
/// query), started by the tests. It checks every request's merchant signature (refusing a bad one
/// with the provider's SIGN_ERROR / `isv.invalid-signature`), keeps the provider's own record of
/// refunds by `out_refund_no` / `out_request_no` (a repeat answers that record and never pays
/// again), refuses refunds above what the transaction paid, signs every answer with the
/// provider's key, and plays scripted faults per refund id: system errors, a PROCESSING answer
/// whose notification the test delivers later, the notification arriving before the answer, a
/// late answer (after the client gave up), a bad answer signature.
final class PaymentProviderSimulator: Sendable {
    enum Behavior: Sendable {
        case succeed
        case fail(status: Int, code: String)
        case processing
        case notifyFirst
        case late(seconds: Int)
        case forgedAnswer
    }

    struct Record: Sendable {
        var transaction: String
        var amount: Int64
        var providerRefundId: String
        var notifyURL: String?
    }

    struct State: Sendable {
        var scripts: [String: [Behavior]] = [:]
        var records: [String: Record] = [:]
        var payouts: [String: Int] = [:]
        var submissions: [String: Int] = [:]
        var badSignatures = 0
        var pendingNotifications: [String] = []
        var transactionTotals: [String: Int64] = [:]
        /// What after-sales answered the notifications sent before an answer.
        var notificationStatuses: [Int] = []
    }

    let port: Int
    let merchantKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let platformKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let alipayAppKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let alipayKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let apiV3Key = "APIv3-key-0123456789abcdefghijkl"  // 32 bytes
    let state = NIOLockedValueBox(State())

    init(port: Int) {
        self.port = port
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// After-sales' settings for both providers, pointing at this simulator.
    var environment: [String: String] {
        ["OMS_WECHATPAY_BASE_URL": base, "OMS_WECHATPAY_MCHID": "1900000109", "OMS_WECHATPAY_SERIAL_NO": "5157F09EFDC096DE15EBE81A47057A72",
         "OMS_WECHATPAY_PRIVATE_KEY": merchantKey.pemRepresentation, "OMS_WECHATPAY_PLATFORM_PUBLIC_KEY": platformKey.publicKey.pemRepresentation,
         "OMS_WECHATPAY_APIV3_KEY": apiV3Key, "OMS_WECHATPAY_NOTIFY_URL": "http://127.0.0.1:{aftersales-port}/v1/aftersales/payment-notifications/wechatpay",
         "OMS_ALIPAY_GATEWAY_URL": "\(base)/gateway.do", "OMS_ALIPAY_APP_ID": "2021000122600001",
         "OMS_ALIPAY_PRIVATE_KEY": alipayAppKey.pemRepresentation, "OMS_ALIPAY_PUBLIC_KEY": alipayKey.publicKey.pemRepresentation]
    }

    func script(_ refundId: String, _ behaviors: [Behavior]) { state.withLockedValue { $0.scripts[refundId] = behaviors } }
    func paid(_ transaction: String, totalFen: Int64) { state.withLockedValue { $0.transactionTotals[transaction] = totalFen } }
    var snapshot: State { state.withLockedValue { $0 } }

    var application: some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/v3/refund/domestic/refunds") { request, _ in try await self.wechatRefund(request) }
        router.post("/gateway.do") { request, _ in try await self.alipay(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    // MARK: WeChat Pay

    private func wechatRefund(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let authorization = request.headers[.authorization] ?? ""
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("WECHATPAY2-SHA256-RSA2048 ".count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        guard authorization.hasPrefix("WECHATPAY2-SHA256-RSA2048 "), fields["mchid"] == "1900000109", let signature = fields["signature"],
              let timestamp = fields["timestamp"], let nonce = fields["nonce_str"],
              ProviderSignature.verify(signature, of: "POST\n/v3/refund/domestic/refunds\n\(timestamp)\n\(nonce)\n\(body)\n", with: merchantKey.publicKey) else {
            state.withLockedValue { $0.badSignatures += 1 }
            return try wechatAnswer(401, #"{"code":"SIGN_ERROR","message":"签名错误"}"#)
        }
        guard let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], let transaction = json["transaction_id"] as? String,
              let refundNo = json["out_refund_no"] as? String, let amount = json["amount"] as? [String: Any], let refund = (amount["refund"] as? NSNumber)?.int64Value,
              let total = (amount["total"] as? NSNumber)?.int64Value, amount["currency"] as? String == "CNY", refund > 0 else {
            return try wechatAnswer(400, #"{"code":"PARAM_ERROR","message":"参数错误"}"#)
        }
        let notifyURL = json["notify_url"] as? String
        let behavior = next(refundNo)
        if case .fail(let status, let code) = behavior { return try wechatAnswer(status, #"{"code":"\#(code)","message":"模拟故障"}"#) }
        guard let record = pay(refundNo, transaction: transaction, amount: refund, total: total, notifyURL: notifyURL) else {
            return try wechatAnswer(400, #"{"code":"INVALID_REQUEST","message":"申请退款金额超过订单可退金额"}"#)
        }
        let answer = { (status: String) in
            #"{"refund_id":"\#(record.providerRefundId)","out_refund_no":"\#(refundNo)","transaction_id":"\#(transaction)","channel":"ORIGINAL","user_received_account":"支付用户零钱","create_time":"2026-12-03T20:00:00+08:00","status":"\#(status)","amount":{"refund":\#(refund),"total":\#(total),"currency":"CNY"}}"#
        }
        switch behavior {
        case .processing:
            state.withLockedValue { $0.pendingNotifications.append(refundNo) }
            return try wechatAnswer(200, answer("PROCESSING"))
        case .notifyFirst:
            let status = try await notify(refundNo)
            state.withLockedValue { $0.notificationStatuses.append(status) }
            return try wechatAnswer(200, answer("SUCCESS"))
        case .late(let seconds):
            try await Task.sleep(for: .seconds(seconds))
            return try wechatAnswer(200, answer("SUCCESS"))
        case .forgedAnswer:
            var response = try wechatAnswer(200, answer("SUCCESS"))
            response.headers[HTTPField.Name("Wechatpay-Signature")!] = try ProviderSignature.sign("forged", with: merchantKey)
            return response
        case .succeed, .fail:
            return try wechatAnswer(200, answer("SUCCESS"))
        }
    }

    private func wechatAnswer(_ status: Int, _ body: String) throws -> Response {
        let timestamp = "\(Int(Date().timeIntervalSince1970))", nonce = UUID().uuidString
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("Wechatpay-Timestamp")!] = timestamp
        headers[HTTPField.Name("Wechatpay-Nonce")!] = nonce
        headers[HTTPField.Name("Wechatpay-Serial")!] = "PLATFORM-SERIAL-1"
        headers[HTTPField.Name("Wechatpay-Signature")!] = try ProviderSignature.sign("\(timestamp)\n\(nonce)\n\(body)\n", with: platformKey)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Sends the `REFUND.SUCCESS` notification of `refundNo` to the address its request named, as
    /// WeChat Pay does: signed, the resource encrypted with the APIv3 key. Returns the HTTP status.
    func notify(_ refundNo: String, status: String = "SUCCESS") async throws -> Int {
        guard let record = state.withLockedValue({ $0.records[refundNo] }), let url = record.notifyURL else { return 0 }
        let resource = #"{"mchid":"1900000109","out_trade_no":"T\#(record.transaction)","transaction_id":"\#(record.transaction)","out_refund_no":"\#(refundNo)","refund_id":"\#(record.providerRefundId)","refund_status":"\#(status)","success_time":"2026-12-03T20:00:05+08:00","user_received_account":"支付用户零钱","amount":{"total":\#(record.amount),"refund":\#(record.amount),"payer_total":\#(record.amount),"payer_refund":\#(record.amount)}}"#
        let nonce = String(UUID().uuidString.prefix(12))
        let sealed = try AES.GCM.seal(Array(resource.utf8), using: SymmetricKey(data: Array(apiV3Key.utf8)), nonce: AES.GCM.Nonce(data: Array(nonce.utf8)),
                                      authenticating: Array("refund".utf8))
        let body = #"{"id":"EV-\#(UUID().uuidString)","create_time":"2026-12-03T20:00:05+08:00","resource_type":"encrypt-resource","event_type":"REFUND.\#(status)","summary":"退款成功","resource":{"original_type":"refund","algorithm":"AEAD_AES_256_GCM","ciphertext":"\#((sealed.ciphertext + sealed.tag).base64EncodedString())","associated_data":"refund","nonce":"\#(nonce)"}}"#
        let timestamp = "\(Int(Date().timeIntervalSince1970))", headerNonce = UUID().uuidString
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Wechatpay-Timestamp", value: timestamp)
        request.headers.add(name: "Wechatpay-Nonce", value: headerNonce)
        request.headers.add(name: "Wechatpay-Serial", value: "PLATFORM-SERIAL-1")
        request.headers.add(name: "Wechatpay-Signature", value: try ProviderSignature.sign("\(timestamp)\n\(headerNonce)\n\(body)\n", with: platformKey))
        request.body = .bytes(ByteBuffer(string: body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    /// Delivers the notifications of refunds answered PROCESSING; returns their HTTP statuses.
    func deliverPendingNotifications() async throws -> [Int] {
        let pending = state.withLockedValue { state in defer { state.pendingNotifications = [] }; return state.pendingNotifications }
        var statuses: [Int] = []
        for refundNo in pending { statuses.append(try await notify(refundNo)) }
        return statuses
    }

    // MARK: Alipay

    private func alipay(_ request: Request) async throws -> Response {
        let form = String(buffer: try await request.body.collect(upTo: 1 << 20))
        var parameters: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            // A form body: `+` is a space, then %XX (as the gateway's servlet container decodes it).
            parameters[parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]
        }
        let method = parameters["method"] ?? ""
        let key = method.replacingOccurrences(of: ".", with: "_") + "_response"
        guard parameters["app_id"] == "2021000122600001", parameters["sign_type"] == "RSA2", let sign = parameters["sign"],
              ProviderSignature.verify(sign, of: AlipayRefunds.signingContent(parameters), with: alipayAppKey.publicKey) else {
            state.withLockedValue { $0.badSignatures += 1 }
            return try alipayAnswer(key, #"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}"#)
        }
        guard let bizText = parameters["biz_content"], let biz = try JSONSerialization.jsonObject(with: Data(bizText.utf8)) as? [String: Any],
              let trade = biz["trade_no"] as? String, let requestNo = biz["out_request_no"] as? String else {
            return try alipayAnswer(key, #"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.missing-required-arguments","sub_msg":"缺少必选参数"}"#)
        }
        if method == "alipay.trade.fastpay.refund.query" {
            guard let record = state.withLockedValue({ $0.records[requestNo] }) else {
                return try alipayAnswer(key, #"{"code":"10000","msg":"Success","trade_no":"\#(trade)","out_request_no":"\#(requestNo)"}"#)
            }
            return try alipayAnswer(key, #"{"code":"10000","msg":"Success","trade_no":"\#(trade)","out_request_no":"\#(requestNo)","refund_amount":"\#(Money.fen(record.amount).yuanString)","refund_status":"REFUND_SUCCESS"}"#)
        }
        guard method == "alipay.trade.refund", let yuan = biz["refund_amount"] as? String, let amount = Money(yuanString: yuan)?.minorUnits else {
            return try alipayAnswer(key, #"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-parameter","sub_msg":"参数无效"}"#)
        }
        let behavior = next(requestNo)
        if case .fail(_, let code) = behavior {
            return try alipayAnswer(key, #"{"code":"40004","msg":"Business Failed","sub_code":"\#(code)","sub_msg":"模拟故障"}"#)
        }
        let repeated = state.withLockedValue { $0.records[requestNo] != nil }
        guard pay(requestNo, transaction: trade, amount: amount, total: nil, notifyURL: nil) != nil else {
            return try alipayAnswer(key, #"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL","sub_msg":"退款金额超限"}"#)
        }
        if case .late(let seconds) = behavior { try await Task.sleep(for: .seconds(seconds)) }
        return try alipayAnswer(key, #"{"code":"10000","msg":"Success","trade_no":"\#(trade)","out_trade_no":"T\#(trade)","buyer_logon_id":"159****5620","fund_change":"\#(repeated ? "N" : "Y")","refund_fee":"\#(yuan)","gmt_refund_pay":"2026-12-03 20:00:05"}"#)
    }

    private func alipayAnswer(_ key: String, _ object: String) throws -> Response {
        let body = #"{"\#(key)":\#(object),"sign":"\#(try ProviderSignature.sign(object, with: alipayKey))"}"#
        return Response(status: .ok, headers: [.contentType: "application/json;charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: The provider's ledger

    private func next(_ refundNo: String) -> Behavior {
        state.withLockedValue { state in
            state.submissions[refundNo, default: 0] += 1
            guard var script = state.scripts[refundNo], !script.isEmpty else { return .succeed }
            let behavior = script.removeFirst()
            state.scripts[refundNo] = script
            return behavior
        }
    }

    /// Pays `refundNo` once; a repeat returns the existing record. Nil when it would refund more
    /// than the transaction paid.
    private func pay(_ refundNo: String, transaction: String, amount: Int64, total: Int64?, notifyURL: String?) -> Record? {
        state.withLockedValue { state in
            if let existing = state.records[refundNo] { return existing }
            let paid = state.transactionTotals[transaction] ?? total ?? 0
            let refunded = state.records.values.filter { $0.transaction == transaction }.map(\.amount).reduce(0, +)
            guard refunded + amount <= paid else { return nil }
            let record = Record(transaction: transaction, amount: amount, providerRefundId: "5030\(state.records.count + 1000)", notifyURL: notifyURL)
            state.records[refundNo] = record
            state.payouts[refundNo, default: 0] += 1
            return record
        }
    }
}
