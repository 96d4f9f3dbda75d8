import Foundation

/// How the console shows money and times: ¥ with two decimals from integer fen (no floating point
/// anywhere), and instants in Asia/Shanghai local time.
enum ConsoleFormat {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// `12345` → `¥123.45`; `-500` → `-¥5.00`.
    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)¥\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// An instant as `2026-12-07 10:31:05` Beijing time.
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// An ISO 8601 instant from a service's JSON, shown as `time(_:)`; other text unchanged.
    static func time(iso text: String?) -> String {
        guard let text else { return "" }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return time(date) }
        return text
    }
}
