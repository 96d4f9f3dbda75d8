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

/// UTC instant formatting used in payloads, logs and headers.
public enum Timestamps {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    private static let plain = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)

    public static func format(_ date: Date) -> String {
        withFraction.format(date)
    }

    public static func parse(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? plain.parse(text))
    }
}
