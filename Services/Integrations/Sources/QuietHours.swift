import Foundation

/// The hours of the night (Asia/Shanghai) in which no SMS goes out except delivery-day messages:
/// from `start` to `end` minutes after local midnight, wrapping midnight when `start > end`
/// (22:00-08:00 by default). Invariant: `start == end` means no quiet hours; `nextAllowed` of an
/// instant inside the window is the window's end, of any other instant the instant itself.
struct QuietHours: Sendable, Equatable {
    var start: Int
    var end: Int

    static let standard = QuietHours(start: 22 * 60, end: 8 * 60)
    static let none = QuietHours(start: 0, end: 0)

    /// "22:00-08:00" (or "off").
    init?(parsing text: String) {
        if text == "off" { self = .none; return }
        let parts = text.split(separator: "-").map(String.init)
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]) else { return nil }
        self.init(start: start, end: end)
    }

    init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    private static func minutes(_ text: String) -> Int? {
        let hm = text.split(separator: ":").map(String.init)
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    static let shanghai: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }()

    func contains(_ instant: Date) -> Bool {
        guard start != end else { return false }
        let c = Self.shanghai.dateComponents([.hour, .minute], from: instant)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// The first instant at or after `instant` outside the window.
    func nextAllowed(after instant: Date) -> Date {
        guard contains(instant) else { return instant }
        let calendar = Self.shanghai
        let day = calendar.startOfDay(for: instant)
        var candidate = calendar.date(byAdding: .minute, value: end, to: day)!
        if candidate <= instant { candidate = calendar.date(byAdding: .day, value: 1, to: candidate)! }
        return candidate
    }
}
