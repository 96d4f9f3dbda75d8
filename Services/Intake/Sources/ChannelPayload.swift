import Foundation
import OMSDomain
import OMSPlatform

/// A channel's native order format as the edge receives it. Normalizing is stateless (no database,
/// no catalog): it checks formats and limits and builds the draft, or names every invalid field.
public protocol ChannelPayload: Codable, Sendable {
    static var channel: Channel { get }
    func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected>
}

/// Local times of Chinese channels: Asia/Shanghai is UTC+8 all year (no daylight saving).
public enum ShanghaiTime {
    static let offset: TimeInterval = 8 * 3_600

    /// "yyyy-MM-dd HH:mm:ss" (marketplaces).
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 19, b[4] == 45, b[7] == 45, b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        let date: [UInt8] = Array(b[0..<4]) + Array(b[5..<7]) + Array(b[8..<10])
        let time: [UInt8] = Array(b[11..<13]) + Array(b[14..<16]) + Array(b[17..<19])
        return fromDigits(date: date, time: time)
    }

    /// "yyyyMMddHHmmss" (WeChat Pay's `time_end`).
    public static func parseCompact(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 14 else { return nil }
        return fromDigits(date: Array(b[0..<8]), time: Array(b[8..<14]))
    }

    private static func fromDigits(date: [UInt8], time: [UInt8]) -> Date? {
        guard (date + time).allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let d = String(decoding: date, as: UTF8.self), t = String(decoding: time, as: UTF8.self)
        let iso = "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))T\(t.prefix(2)):\(t.dropFirst(2).prefix(2)):\(t.suffix(2)).000Z"
        // Round-tripping rejects impossible dates such as 02-30 that a lenient parser would roll over.
        guard let asUTC = Timestamps.parse(iso), Timestamps.format(asUTC) == iso else { return nil }
        return asUTC.addingTimeInterval(-offset)
    }
}
