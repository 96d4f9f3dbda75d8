import Foundation
import OMSDomain
import OMSPlatform

/// A listing of orders, newest first: by status, channel and a range of Beijing calendar dates
/// (`from`, `to` as YYYY-MM-DD, both days included), paged by `before` (the `receivedAt` of the
/// last order seen). Invariant: the date range is at most 92 days, so every listing reads a
/// bounded slice of the `(received_at)` / `(channel, received_at)` indexes.
struct OrderListFilter: Sendable, Equatable {
    var status: String?
    var channel: String?
    var from: Date
    var to: Date
    var before: Date?
    var limit: Int

    static let maximumDays = 92
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    init(status: String? = nil, channel: String? = nil, from: Date, to: Date, before: Date? = nil, limit: Int = 50) {
        self.status = status
        self.channel = channel
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }

    /// From query parameters; without dates, the last 30 days (Beijing) up to today.
    init(_ query: [String: String], now: Date = Date()) throws {
        var check = RequestCheck()
        status = query["status"]
        if let status, OrderStatus(rawValue: status) == nil, status != "accepted" {
            check.fail("status", "one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        channel = query["channel"]
        if let channel, OMSDomain.Channel(rawValue: channel) == nil {
            check.fail("channel", "one of \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let today = Self.startOfDay(now)
        let fromDay = query["from"].map(Self.day)
        let toDay = query["to"].map(Self.day)
        if case .some(nil) = fromDay { check.fail("from", "a date YYYY-MM-DD (Beijing)") }
        if case .some(nil) = toDay { check.fail("to", "a date YYYY-MM-DD (Beijing)") }
        let end = (toDay ?? nil).map { $0.addingTimeInterval(86_400) } ?? today.addingTimeInterval(86_400)
        let start = (fromDay ?? nil) ?? end.addingTimeInterval(-30 * 86_400)
        if start >= end { check.fail("from", "must not be after to") }
        if end.timeIntervalSince(start) > Double(Self.maximumDays) * 86_400 { check.fail("to", "at most \(Self.maximumDays) days after from") }
        from = start
        to = end
        before = nil
        if let text = query["before"] {
            before = Timestamps.parse(text)
            if before == nil { check.fail("before", "an ISO 8601 instant (the receivedAt of the last order seen)") }
        }
        limit = Int(query["limit"] ?? "50") ?? 0
        if !(1...200).contains(limit) { check.fail("limit", "1-200") }
        try check.check()
    }

    static func startOfDay(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        return calendar.startOfDay(for: date)
    }

    /// Midnight Beijing time of a `YYYY-MM-DD` date, or nil.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.count == 10, parts.count == 3, (2000...2100).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              calendar.component(.day, from: date) == parts[2] else { return nil }
        return date
    }
}
