import Foundation

/// When a parcel should arrive: same-day services four hours after dispatch; others by 18:00
/// Asia/Shanghai local time `transitDays` calendar days after the local dispatch date.
/// Invariant: a UTC instant; never before the dispatch.
public enum DeliveryEstimate {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    public static func eta(dispatchedAt: Date, transitDays: Int) -> Date {
        if transitDays <= 0 { return dispatchedAt.addingTimeInterval(4 * 3_600) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        let day = calendar.startOfDay(for: dispatchedAt)
        let target = calendar.date(byAdding: .day, value: transitDays, to: day)!
        return max(calendar.date(byAdding: .hour, value: 18, to: target)!, dispatchedAt)
    }
}
