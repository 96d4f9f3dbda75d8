import Foundation
import OMSDomain
import OMSKafka

/// Header names of the OMS event metadata on Kafka records (binary content mode: metadata in
/// headers, the JSON body as the value, the order id as the key).
public enum EventHeader {
    public static let eventID = "oms-event-id"
    public static let eventType = "oms-event-type"
    public static let schemaVersion = "oms-schema-version"
    public static let occurredAt = "oms-occurred-at"
    public static let correlationID = "oms-correlation-id"
    public static let causationID = "oms-causation-id"
    public static let producer = "oms-producer"

    /// Dead-letter headers, added to the original record's headers.
    public static let dlqOriginalTopic = "oms-dlq-original-topic"
    public static let dlqOriginalPartition = "oms-dlq-original-partition"
    public static let dlqOriginalOffset = "oms-dlq-original-offset"
    public static let dlqError = "oms-dlq-error"
    public static let dlqAttempts = "oms-dlq-attempts"
    public static let dlqService = "oms-dlq-service"
    public static let dlqFailedAt = "oms-dlq-failed-at"
    /// How many times ops redrove this message (set by the ops tool).
    public static let redriveCount = "oms-redrive-count"
}

extension EventEnvelope {
    /// Headers carrying this envelope's metadata.
    public var kafkaHeaders: [KafkaHeader] {
        var headers = [
            KafkaHeader(key: EventHeader.eventID, text: eventID.uuidString.lowercased()),
            KafkaHeader(key: EventHeader.eventType, text: type),
            KafkaHeader(key: EventHeader.schemaVersion, text: String(schemaVersion)),
            KafkaHeader(key: EventHeader.occurredAt, text: Timestamps.format(occurredAt)),
            KafkaHeader(key: EventHeader.correlationID, text: correlationID.uuidString.lowercased()),
            KafkaHeader(key: EventHeader.producer, text: producer.rawValue),
        ]
        if let causationID {
            headers.append(KafkaHeader(key: EventHeader.causationID, text: causationID.uuidString.lowercased()))
        }
        return headers
    }

    public func kafkaMessage(topic: String) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: topic, key: Array(orderID.utf8), value: payload, headers: kafkaHeaders,
                             timestampMilliseconds: Int64(occurredAt.timeIntervalSince1970 * 1000))
    }

    /// Reads an envelope back from a consumed record; throws `EventDecodingError` naming the bad header.
    public init(record: KafkaRecord) throws {
        func required(_ name: String) throws -> String {
            guard let value = record.header(name), !value.isEmpty else { throw EventDecodingError.missingHeader(name) }
            return value
        }
        guard let eventID = UUID(uuidString: try required(EventHeader.eventID)) else { throw EventDecodingError.invalidHeader(EventHeader.eventID) }
        guard let version = Int(try required(EventHeader.schemaVersion)), version > 0 else { throw EventDecodingError.invalidHeader(EventHeader.schemaVersion) }
        guard let occurredAt = Timestamps.parse(try required(EventHeader.occurredAt)) else { throw EventDecodingError.invalidHeader(EventHeader.occurredAt) }
        guard let correlationID = UUID(uuidString: try required(EventHeader.correlationID)) else { throw EventDecodingError.invalidHeader(EventHeader.correlationID) }
        guard let producer = ServiceName(rawValue: try required(EventHeader.producer)) else { throw EventDecodingError.invalidHeader(EventHeader.producer) }
        var causationID: UUID?
        if let raw = record.header(EventHeader.causationID) {
            guard let value = UUID(uuidString: raw) else { throw EventDecodingError.invalidHeader(EventHeader.causationID) }
            causationID = value
        }
        guard let key = record.keyText, !key.isEmpty else { throw EventDecodingError.missingHeader("record key (order id)") }
        self.init(eventID: eventID, type: try required(EventHeader.eventType), schemaVersion: version, occurredAt: occurredAt,
                  orderID: key, correlationID: correlationID, causationID: causationID, producer: producer, payload: record.value)
    }
}
