import Foundation
import OMSDomain
import OMSKafka

/// Builds the dead-letter message for a record a service cannot process: the original key, value
/// and headers (so ops can redrive it byte for byte) plus headers naming where it came from, why it
/// failed and how often. Invariant: the reason text is PII-scrubbed.
public enum DeadLetter {
    /// `topics` maps the redrive topic's logical name onto the record's; the returned message's
    /// topic is the logical dead-letter topic (the transaction context maps it).
    public static func message(for record: KafkaRecord, service: ServiceName, topics: TopicNamespace = .none, reason: String, attempts: Int, now: Date = Date()) -> OutboxMessage {
        let redriven = record.topic == topics.physical(service.redriveTopic)
        let carried = record.headers.filter { !$0.key.hasPrefix("oms-dlq-") }
        let priorAttempts = Int(record.header(EventHeader.dlqAttempts) ?? "") ?? 0
        let headers = carried + [
            KafkaHeader(key: EventHeader.dlqOriginalTopic, text: originalTopic(of: record)),
            KafkaHeader(key: EventHeader.dlqOriginalPartition, text: record.header(EventHeader.dlqOriginalPartition).flatMap { redriven ? $0 : nil } ?? String(record.partition)),
            KafkaHeader(key: EventHeader.dlqOriginalOffset, text: record.header(EventHeader.dlqOriginalOffset).flatMap { redriven ? $0 : nil } ?? String(record.offset)),
            KafkaHeader(key: EventHeader.dlqError, text: String(PIIMask.scrub(reason).prefix(500))),
            KafkaHeader(key: EventHeader.dlqAttempts, text: String(priorAttempts + attempts)),
            KafkaHeader(key: EventHeader.dlqService, text: service.rawValue),
            KafkaHeader(key: EventHeader.dlqFailedAt, text: Timestamps.format(now)),
        ]
        let eventID = record.header(EventHeader.eventID).flatMap(UUID.init(uuidString:)) ?? UUID()
        return OutboxMessage(eventID: eventID, topic: service.deadLetterTopic, key: record.key ?? [], headers: headers, payload: record.value)
    }

    /// A redriven record keeps pointing at the topic it originally failed on.
    static func originalTopic(of record: KafkaRecord) -> String {
        if record.topic.hasSuffix(".redrive"), let original = record.header(EventHeader.dlqOriginalTopic) {
            return original
        }
        return record.topic
    }
}
