import Foundation

/// The one JSON convention for event payloads: camelCase keys, dates as ISO 8601 UTC with
/// milliseconds, sorted keys so equal payloads are byte-identical.
public enum EventCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamps.format(date))
        }
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamps.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 UTC timestamp")
            }
            return date
        }
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw EventDecodingError.malformedPayload(Self.describe(error))
        }
    }

    /// A decoding error described by coding path and kind only: never the offending value (PII).
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "(root)" : joined
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context)).\(key.stringValue)".replacingOccurrences(of: "(root).", with: "")
        case .typeMismatch(let type, let context): return "field \(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context): return "field \(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context): return "field \(path(context)) is invalid: \(context.debugDescription.prefix(120))"
        @unknown default: return "undecodable"
        }
    }
}

/// UTC instant formatting used in payloads, logs and headers: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
/// Formatting and parsing of that exact shape use integer arithmetic (it is on every event's hot
/// path); other ISO 8601 forms (offsets, no fraction) are parsed by Foundation.
public enum Timestamps {
    private static let fallback = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    private static let fallbackPlain = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)

    public static func format(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = totalMilliseconds >= 0 ? totalMilliseconds / 86_400_000 : (totalMilliseconds - 86_399_999) / 86_400_000
        let millisOfDay = totalMilliseconds - days * 86_400_000
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(48 + v % 10); v /= 10 }
            out += digits
        }
        put(year, 4); out.append(45); put(month, 2); out.append(45); put(day, 2); out.append(84)
        put(millisOfDay / 3_600_000, 2); out.append(58); put(millisOfDay / 60_000 % 60, 2); out.append(58)
        put(millisOfDay / 1_000 % 60, 2); out.append(46); put(millisOfDay % 1_000, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        if b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46, b[23] == 90 {
            func num(_ from: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for i in from..<(from + count) {
                    guard b[i] >= 48, b[i] <= 57 else { return nil }
                    value = value * 10 + Int64(b[i] - 48)
                }
                return value
            }
            if let y = num(0, 4), let m = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2), let ms = num(20, 3),
               (1...12).contains(m), (1...31).contains(d), h < 24, mi < 60, s < 60 {
                // Days-from-civil.
                let year = m <= 2 ? y - 1 : y
                let era = (year >= 0 ? year : year - 399) / 400
                let yearOfEra = year - era * 400
                let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
                let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
                let days = era * 146_097 + dayOfEra - 719_468
                let millis = ((days * 24 + h) * 60 + mi) * 60_000 + s * 1_000 + ms
                return Date(timeIntervalSince1970: Double(millis) / 1000)
            }
        }
        return (try? fallback.parse(text)) ?? (try? fallbackPlain.parse(text))
    }
}
