import Foundation

/// The period a report covers: local (Asia/Shanghai) calendar days `from` through `to`, both
/// included, as UTC instants `[start, end)`. Without bounds: everything.
/// Invariant: `start < end`.
struct ReportWindow: Sendable, Equatable {
    var start: Date
    var end: Date

    static let everything = ReportWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 32_503_680_000))
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    /// Parses `YYYY-MM-DD` days; nil for a value that is not a date.
    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        return formatter.date(from: text)
    }

    /// The window of `from`/`to` query values, or the field that is wrong and why.
    static func parse(from: String?, to: String?) -> Result<ReportWindow, WindowError> {
        var window = everything
        if let from {
            guard let day = day(from) else { return .failure(WindowError(field: "from", reason: "a day as YYYY-MM-DD (Asia/Shanghai)")) }
            window.start = day
        }
        if let to {
            guard let day = day(to) else { return .failure(WindowError(field: "to", reason: "a day as YYYY-MM-DD (Asia/Shanghai)")) }
            window.end = day.addingTimeInterval(86_400)
        }
        guard window.start < window.end else { return .failure(WindowError(field: "to", reason: "on or after from")) }
        return .success(window)
    }

    struct WindowError: Error, Equatable {
        var field: String
        var reason: String
    }
}
