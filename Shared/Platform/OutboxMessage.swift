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

    /// Headers stored as a JSON array of [name, value] pairs (order and repeats preserved).
    var encodedHeaders: String {
        let pairs = headers.map { [$0.key, $0.text] }
        let data = (try? JSONEncoder().encode(pairs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeHeaders(_ text: String) -> [KafkaHeader] {
        guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)) else { return [] }
        return pairs.compactMap { $0.count == 2 ? KafkaHeader(key: $0[0], text: $0[1]) : nil }
    }
}
