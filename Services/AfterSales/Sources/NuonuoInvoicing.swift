import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import OMSDomain
import OMSPlatform

/// Where an issued invoice goes to become a tax-bureau e-invoice. Invariant: every outcome is an
/// `EInvoiceAnswer`; an adapter never throws.
protocol EInvoicePlatform: Sendable {
    var name: String { get }
    /// Submits `invoice` (a red-letter one with the platform's id of the blue invoice it credits).
    func submit(_ invoice: Invoice, creditingPlatformID: String?) async -> EInvoiceAnswer
}

/// A platform's answer, as the submitter acts on it.
enum EInvoiceAnswer: Sendable, Equatable {
    /// Taken; the platform's id for it (its serial number).
    case accepted(platformID: String)
    /// Not taken this time (transport, 5xx, credentials or token): asked again later.
    case retryable(code: String, message: String)
    /// Refused for good (the invoice's data): finance corrects and re-issues.
    case refused(code: String, message: String)
}

/// 诺诺开放平台 (Nuonuo, Baiwang's peer on the 数电 e-invoice network): `POST /open/v1/services` with
/// `senid`, `nonce`, `timestamp`, `appkey` in the query, `method: nuonuo.OpeMplatform.requestBillingNew`,
/// `accessToken` and `userTax` (the seller's tax id) headers, and `X-Nuonuo-Sign` = Base64 of
/// HMAC-SHA1 with the app secret over `a=services&l=v1&p=open&k={appkey}&i={senid}&n={nonce}&t={timestamp}&f={body}`
/// (the body byte for byte). The answer `{"code", "describe", "result": {"invoiceSerialNum"}}`:
/// `E0000` taken; `070…` the app's credentials or token (retried: ops renew them); anything else
/// refused. Amounts are yuan strings, tax-inclusive (`withTaxFlag` 1), negative on a red invoice.
struct NuonuoInvoicing: EInvoicePlatform {
    /// `OMS_NUONUO_*` settings.
    struct Configuration: Sendable {
        var url: String
        var appKey: String
        var appSecret: String
        var accessToken: String
        var timeoutSeconds: Int64

        /// nil when `OMS_NUONUO_APP_KEY` is unset (invoices are then issued in the OMS only).
        static func from(_ environment: [String: String]) throws -> Configuration? {
            guard let key = environment["OMS_NUONUO_APP_KEY"], !key.isEmpty else { return nil }
            guard let secret = environment["OMS_NUONUO_APP_SECRET"], !secret.isEmpty else {
                throw ConfigurationError(key: "OMS_NUONUO_APP_SECRET", reason: "required with OMS_NUONUO_APP_KEY")
            }
            guard let token = environment["OMS_NUONUO_ACCESS_TOKEN"], !token.isEmpty else {
                throw ConfigurationError(key: "OMS_NUONUO_ACCESS_TOKEN", reason: "required with OMS_NUONUO_APP_KEY")
            }
            let url = environment["OMS_NUONUO_URL"] ?? "https://sdk.nuonuo.com/open/v1/services"
            guard url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost") else {
                throw ConfigurationError(key: "OMS_NUONUO_URL", reason: "https (plain http only on the loopback)")
            }
            return Configuration(url: url, appKey: key, appSecret: secret, accessToken: token, timeoutSeconds: 5)
        }
    }

    let configuration: Configuration
    var name: String { "nuonuo" }

    struct Answer: Decodable {
        struct Result: Decodable { var invoiceSerialNum: String? }
        var code: String
        var describe: String?
        var result: Result?
    }

    func submit(_ invoice: Invoice, creditingPlatformID: String?) async -> EInvoiceAnswer {
        do {
            let body = try Self.body(invoice, creditingPlatformID: creditingPlatformID)
            let senid = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let nonce = String(Int.random(in: 10_000_000...99_999_999))
            let timestamp = String(Int(Date().timeIntervalSince1970))
            var request = HTTPClientRequest(url: "\(configuration.url)?senid=\(senid)&nonce=\(nonce)&timestamp=\(timestamp)&appkey=\(configuration.appKey)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json;charset=utf-8")
            request.headers.add(name: "X-Nuonuo-Sign", value: Self.sign(secret: configuration.appSecret, appKey: configuration.appKey, senid: senid, nonce: nonce,
                                                                       timestamp: timestamp, body: body))
            request.headers.add(name: "accessToken", value: configuration.accessToken)
            request.headers.add(name: "userTax", value: invoice.seller.taxId)
            request.headers.add(name: "method", value: "nuonuo.OpeMplatform.requestBillingNew")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(configuration.timeoutSeconds))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200 else { return .retryable(code: "HTTP_\(response.status.code)", message: "the platform answered \(response.status.code)") }
            guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: bytes)) else {
                return .retryable(code: "MALFORMED_ANSWER", message: "the answer is not Nuonuo's {code, describe, result}")
            }
            let message = String((answer.describe ?? answer.code).prefix(200))
            if answer.code == "E0000" {
                guard let serial = answer.result?.invoiceSerialNum, !serial.isEmpty else { return .retryable(code: "NO_SERIAL", message: "E0000 without invoiceSerialNum") }
                return .accepted(platformID: serial)
            }
            return answer.code.hasPrefix("070") ? .retryable(code: answer.code, message: message) : .refused(code: answer.code, message: message)
        } catch {
            return .retryable(code: "TRANSPORT", message: String(String(describing: error).prefix(200)))
        }
    }

    /// `X-Nuonuo-Sign`.
    static func sign(secret: String, appKey: String, senid: String, nonce: String, timestamp: String, body: [UInt8]) -> String {
        let message = Array("a=services&l=v1&p=open&k=\(appKey)&i=\(senid)&n=\(nonce)&t=\(timestamp)&f=".utf8) + body
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    /// `{"order": {...}}` for `requestBillingNew`: the buyer, the seller's tax id, the OMS invoice
    /// number as `orderNo` (the platform refuses a second request with it), one detail per line.
    static func body(_ invoice: Invoice, creditingPlatformID: String?) throws -> [UInt8] {
        var order: [String: Any] = [
            "buyerName": invoice.buyer.title, "buyerTaxNum": invoice.buyer.taxId ?? "", "salerTaxNum": invoice.seller.taxId,
            "orderNo": invoice.invoiceNumber, "invoiceDate": shanghaiTime(invoice.issuedAt), "clerk": "OMS",
            "invoiceType": invoice.kind == .blue ? "1" : "2", "invoiceLine": "pc", "pushMode": invoice.buyer.email == nil ? "-1" : "1",
            "invoiceDetail": invoice.lines.map { line -> [String: String] in
                [
                    "goodsName": line.description, "num": String(line.quantity), "withTaxFlag": "1",
                    "price": line.quantity == 0 ? "" : yuan(Money.fen(line.amount.minorUnits / Int64(line.quantity))),
                    "taxRate": String(format: "%.2f", Double(line.taxRateBasisPoints) / 10_000), "taxIncludedAmount": yuan(line.amount),
                    "taxExcludedAmount": yuan(line.netAmount), "tax": yuan(line.taxAmount),
                ]
            },
        ]
        if let email = invoice.buyer.email { order["buyerEmail"] = email }
        if let creditingPlatformID { order["invoiceNum"] = creditingPlatformID }
        return Array(try JSONSerialization.data(withJSONObject: ["order": order], options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func yuan(_ money: Money) -> String { InvoicePDF.yuan(money) }

    static func shanghaiTime(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
