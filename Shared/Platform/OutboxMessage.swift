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
    /// cheap to write and split. Header text containing either separator falls back to JSON.
    var encodedHeaders: String {
        if headers.contains(where: { $0.key.contains(where: Self.isSeparator) || $0.text.contains(where: Self.isSeparator) }) {
            let data = (try? JSONEncoder().encode(headers.map { [$0.key, $0.text] })) ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        return headers.map { $0.key + "\u{1F}" + $0.text }.joined(separator: "\u{1E}")
    }

    static func decodeHeaders(_ text: String) -> [KafkaHeader] {
        if text.hasPrefix("[") {
            guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)) else { return [] }
            return pairs.compactMap { $0.count == 2 ? KafkaHeader(key: $0[0], text: $0[1]) : nil }
        }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: true).compactMap { (pair: Substring) -> KafkaHeader? in
            let parts = pair.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return KafkaHeader(key: String(parts[0]), text: String(parts[1]))
        }
    }

    private static func isSeparator(_ character: Character) -> Bool {
        character == "\u{1F}" || character == "\u{1E}"
    }
}
