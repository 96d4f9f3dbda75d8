import Foundation

/// How a store takes part in shipping online orders (ship-from-store, 门店发货): its opening hours
/// in Asia/Shanghai local time and how many online orders its staff can pick in a day. Pure.
///
/// Invariants: a store outside its hours is still a candidate, but ranks after every open node (an
/// order it alone can fill waits for the morning rather than being backordered); a store whose
/// day is full (`dailyCapacity` online orders sourced to it on this Asia/Shanghai day) is no
/// candidate. No hours means always open; no capacity means no limit.
public struct StoreShipping: Hashable, Sendable {
    /// Added to a closed store's proximity tier: after every open node (tiers are 0-3).
    public static let closedPenalty = 10

    public var dailyCapacity: Int?
    /// "HH:MM", Asia/Shanghai.
    public var opensAt: String?
    public var closesAt: String?

    public init(dailyCapacity: Int? = nil, opensAt: String? = nil, closesAt: String? = nil) {
        self.dailyCapacity = dailyCapacity
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    /// Minutes after midnight of "HH:MM" (00:00-24:00), or nil.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1_440 else { return nil }
        return hour * 60 + minute
    }

    /// Minutes after local midnight in Asia/Shanghai (UTC+8 all year, no daylight saving).
    public static func shanghaiMinute(_ date: Date) -> Int {
        let seconds = Int((date.timeIntervalSince1970 + 8 * 3_600).rounded(.down))
        return ((seconds % 86_400) + 86_400) % 86_400 / 60
    }

    /// The Asia/Shanghai calendar day of `date`, "YYYY-MM-DD": the day a capacity counts.
    public static func shanghaiDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Whether the store is open at `date` (opens inclusive, closes exclusive).
    public func isOpen(at date: Date) -> Bool {
        guard let opens = opensAt.flatMap(Self.minutes), let closes = closesAt.flatMap(Self.minutes) else { return true }
        let now = Self.shanghaiMinute(date)
        return opens <= now && now < closes
    }

    /// Whether `used` online orders today leave room for one more.
    public func hasRoom(used: Int) -> Bool {
        dailyCapacity.map { used < $0 } ?? true
    }
}
