import Foundation
import OMSDomain
import OMSPlatform

/// Which returns may be opened: per line, delivered minus what is already returned or in an open
/// return; per reason, a window counted from the line's delivery. Pure; `AfterSalesConfiguration`
/// supplies the numbers. Invariant: a refusal names the rule and the field it is about.
struct ReturnPolicy: Sendable {
    /// What after-sales knows about one order line.
    struct LineState: Sendable {
        var lineNumber: Int
        var sku: String
        var ordered: Int
        var delivered: Int
        /// Units in returns that are not rejected (open, received or refunded).
        var returned: Int
        /// The latest delivery of a parcel carrying this line.
        var deliveredAt: Date?
    }

    /// A rule that refused a request, with the HTTP field it names.
    struct Refusal: Error, Equatable {
        var code: String
        var field: String
        var reason: String

        var apiError: APIError {
            APIError(.unprocessableContent, code: code, message: reason, fields: [.init(field: field, reason: reason)])
        }
    }

    var windowDays: [ReturnAuthorization.Reason: Int]
    var autoApproved: Set<ReturnAuthorization.Reason>

    init(configuration: AfterSalesConfiguration) {
        windowDays = configuration.returnWindowDays
        autoApproved = configuration.autoApprovedReasons
    }

    init(windowDays: [ReturnAuthorization.Reason: Int], autoApproved: Set<ReturnAuthorization.Reason>) {
        self.windowDays = windowDays
        self.autoApproved = autoApproved
    }

    /// The lines of an eligible return, or the first rule it breaks.
    func check(reason: ReturnAuthorization.Reason, requested: [(lineNumber: Int, quantity: Int)], lines: [Int: LineState], now: Date) -> Result<[ReturnAuthorization.Line], Refusal> {
        guard lines.values.contains(where: { $0.delivered > 0 }) else {
            return .failure(Refusal(code: "not_delivered", field: "orderId", reason: "nothing of this order has been delivered yet; cancel the order or refuse the parcel instead"))
        }
        var accepted: [ReturnAuthorization.Line] = []
        var seen = Set<Int>()
        for (index, request) in requested.enumerated() {
            let field = "lines[\(index)]"
            guard seen.insert(request.lineNumber).inserted else {
                return .failure(Refusal(code: "duplicate_line", field: "\(field).lineNumber", reason: "line \(request.lineNumber) appears twice"))
            }
            guard let line = lines[request.lineNumber] else {
                return .failure(Refusal(code: "unknown_line", field: "\(field).lineNumber", reason: "the order has no line \(request.lineNumber)"))
            }
            let open = line.delivered - line.returned
            guard request.quantity <= open else {
                return .failure(Refusal(code: "over_return", field: "\(field).quantity",
                                        reason: "line \(line.lineNumber): \(line.delivered) delivered, \(line.returned) already returned or in a return; at most \(max(open, 0)) more"))
            }
            let days = windowDays[reason] ?? 0
            if let delivered = line.deliveredAt, now > delivered.addingTimeInterval(Double(days) * 86_400) {
                return .failure(Refusal(code: "outside_return_window", field: "reason",
                                        reason: "\(reason.rawValue) returns must be requested within \(days) days of delivery; line \(line.lineNumber) was delivered \(Self.day(delivered))"))
            }
            accepted.append(ReturnAuthorization.Line(lineNumber: line.lineNumber, sku: line.sku, quantity: request.quantity))
        }
        return .success(accepted)
    }

    func approvesAutomatically(_ reason: ReturnAuthorization.Reason) -> Bool {
        autoApproved.contains(reason)
    }

    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d (Asia/Shanghai)", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
