import AsyncHTTPClient
import Foundation
import NIOCore
import OMSPlatform

/// The port through which integrations tells a marketplace platform about its orders and stock.
/// Adapters answer every outcome as a `MarketplaceAnswer` (never throw): no answer is `retry`.
protocol MarketplaceGateway: Sendable {
    /// The platform's "ship" or "change tracking number" for one parcel; `companyCode` is the
    /// carrier as the platform codes it.
    func shipBack(_ shipBack: ShipBack, companyCode: String) async -> MarketplaceAnswer
    /// The platform's quantity update (full, not a delta) for one listed SKU.
    func pushQuantity(_ push: StockPush) async -> MarketplaceAnswer
    /// Whether the platform shows the parcel's order as shipped already (a call whose answer was
    /// lost may have gone through): true, false, or nil when the platform cannot tell.
    func showsShipped(_ shipBack: ShipBack) async -> Bool?
}

extension MarketplaceGateway {
    /// POSTs a form to `url`; the answer's body text, or the `retry` to answer when there was none
    /// or the platform's front answered with an error status.
    static func postForm(_ parameters: [String: String], to url: String, timeoutSeconds: Int64) async -> Result<String, MarketplaceAnswerFailure> {
        let form = FormEncoding.body(parameters)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: form))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status.code == 200 else {
                return .failure(MarketplaceAnswerFailure(answer: .retry(code: "HTTP_\(response.status.code)", message: "the gateway answered \(response.status.code)")))
            }
            return .success(text)
        } catch {
            return .failure(MarketplaceAnswerFailure(answer: .retry(code: "TRANSPORT", message: String(String(describing: error).prefix(200)))))
        }
    }
}

/// A call that ended before the platform's answer could be read.
struct MarketplaceAnswerFailure: Error {
    var answer: MarketplaceAnswer
}

extension MarketplaceGateway {
    /// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as the platforms' gateways expect their timestamp.
    static func shanghaiTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
