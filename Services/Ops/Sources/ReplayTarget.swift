import Foundation

/// Where `omsctl replay` moves a group's offsets, as in `kafka-consumer-groups --reset-offsets`.
/// Invariant: a resolved offset always lies between the partition's low watermark and the higher
/// of its high watermark and the group's committed offset.
public enum ReplayTarget: Sendable, Equatable, CustomStringConvertible {
    case earliest
    case offset(Int64)
    case shift(Int64)
    /// The first record at or after this instant.
    case datetime(Date)
    /// The first record at or after now minus this many seconds.
    case duration(TimeInterval)

    public var description: String {
        switch self {
        case .earliest: "--to-earliest"
        case .offset(let offset): "--to-offset \(offset)"
        case .shift(let shift): "--shift-by \(shift)"
        case .datetime(let date): "--to-datetime \(ISO8601DateFormatter().string(from: date))"
        case .duration(let seconds): "--by-duration \(Int(seconds))s"
        }
    }

    /// The offset for one partition from its committed position and watermarks; `timeOffset` is
    /// the broker's answer for a time target (negative when no record is that late).
    public func resolve(current: Int64?, low: Int64, high: Int64, timeOffset: Int64?) -> Int64 {
        let wanted: Int64 = switch self {
        case .earliest: low
        case .offset(let offset): offset
        case .shift(let shift): (current ?? low) + shift
        case .datetime, .duration: (timeOffset ?? -1) < 0 ? high : timeOffset!
        }
        // A committed offset is always valid, even above a high watermark a broker undercounts
        // (Tansu reports the last batch's base offset + 1 until the next produce).
        let ceiling = max(high, current ?? high, low)
        return min(max(wanted, low), ceiling)
    }

    /// Parses Kafka's `YYYY-MM-DDTHH:mm:SS[.sss][Z|±hh:mm]`; without a zone the time is UTC.
    public static func parseDatetime(_ text: String) throws -> Date {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})?$"#
        guard let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else {
            throw OpsFailure("--to-datetime wants YYYY-MM-DDTHH:mm:SS[.sss] with an optional Z or ±hh:mm (UTC when omitted), e.g. 2026-11-11T00:00:00+08:00")
        }
        var zoned = text
        if !(text.hasSuffix("Z") || text.range(of: #"[+-]\d{2}:\d{2}$"#, options: .regularExpression) != nil) { zoned += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = zoned.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        guard let date = formatter.date(from: zoned) else { throw OpsFailure("--to-datetime \(text) is not a valid date and time") }
        return date
    }

    /// Parses Kafka's ISO-8601 duration `PnDTnHnMnS` (e.g. `PT30M`, `P1DT2H`).
    public static func parseDuration(_ text: String) throws -> TimeInterval {
        let pattern = #"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"#
        guard text != "P", text != "PT", let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            throw OpsFailure("--by-duration wants an ISO-8601 duration PnDTnHnMnS, e.g. PT30M or P1DT2H")
        }
        func part(_ index: Int) -> Double {
            guard let range = Range(match.range(at: index), in: text) else { return 0 }
            return Double(text[range]) ?? 0
        }
        let seconds = part(1) * 86_400 + part(2) * 3_600 + part(3) * 60 + part(4)
        guard seconds > 0 else { throw OpsFailure("--by-duration must be longer than zero") }
        return seconds
    }
}
