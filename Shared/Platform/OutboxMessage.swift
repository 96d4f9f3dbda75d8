import Foundation
import NIOCore
import OMSDomain
import OMSKafka

/// A message waiting in a service's outbox table. Invariant: written in the same transaction as
/// the state change that caused it; published by the relay only after that transaction committed.
public struct OutboxMessage: Sendable {
    public var eventID: UUID
    public var topic: String
    public var key: [UInt8]
    public var headers: [KafkaHeader]
    public var payload: [UInt8]
    /// Published by the writer right after its commit (`OutboxRelay.publishDirect`); the relay
    /// only picks it up if that did not happen within `Outbox.directPublishHold`.
    public var publishedDirectly = false

    public init(eventID: UUID, topic: String, key: [UInt8], headers: [KafkaHeader], payload: [UInt8]) {
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.headers = headers
        self.payload = payload
    }

    public init(envelope: EventEnvelope, topic: String) {
        self.init(eventID: envelope.eventID, topic: topic, key: Array(envelope.orderID.utf8), headers: envelope.kafkaHeaders, payload: envelope.payload)
    }

    var kafkaMessage: KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: topic, key: key, value: payload, headers: headers)
    }

    /// Headers stored as text: `name US value` pairs joined by `RS` (ASCII unit/record separators),
    /// cheap to write and split. A header that text cannot carry as is (a separator, a NUL byte,
    /// which PostgreSQL text refuses, or bytes that are not UTF-8, as a hostile producer may send and
    /// a dead letter copies) switches the row to JSON pairs, such values base64 with a `b64` marker,
    /// so every header survives byte for byte and no header can make the outbox insert fail.
    var encodedHeaders: String {
        guard headers.contains(where: Self.needsJSON) else {
            return headers.map { $0.key + "\u{1F}" + $0.text }.joined(separator: "\u{1E}")
        }
        let pairs: [[String]] = headers.map { header in
            if let text = String(bytes: header.value, encoding: .utf8), !text.contains("\u{0}") {
                return [header.key, text]
            }
            return [header.key, Data(header.value).base64EncodedString(), "b64"]
        }
        // Encoding an array of string arrays cannot fail; the fallback is never taken.
        let data = (try? JSONEncoder().encode(pairs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeHeaders(_ text: String) -> [KafkaHeader] {
        if text.hasPrefix("[") {
            guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)) else { return [] }
            return pairs.compactMap { pair in
                switch pair.count {
                case 2: return KafkaHeader(key: pair[0], text: pair[1])
                case 3 where pair[2] == "b64": return Data(base64Encoded: pair[1]).map { KafkaHeader(key: pair[0], value: Array($0)) }
                default: return nil
                }
            }
        }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: true).compactMap { (pair: Substring) -> KafkaHeader? in
            let parts = pair.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return KafkaHeader(key: String(parts[0]), text: String(parts[1]))
        }
    }

    private static func needsJSON(_ header: KafkaHeader) -> Bool {
        if header.key.contains(where: isUnsafe) { return true }
        var ascii = true
        for byte in header.value {
            if byte == 0 || byte == 0x1F || byte == 0x1E { return true }
            if byte >= 0x80 { ascii = false }
        }
        // Most headers are ASCII; only others need the (allocating) UTF-8 validation.
        return !ascii && String(bytes: header.value, encoding: .utf8) == nil
    }

    private static func isUnsafe(_ character: Character) -> Bool {
        isSeparator(character) || character == "\u{0}"
    }

    private static func isSeparator(_ character: Character) -> Bool {
        character == "\u{1F}" || character == "\u{1E}"
    }
}
