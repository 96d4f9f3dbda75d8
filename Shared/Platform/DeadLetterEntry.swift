import Foundation
import OMSDomain
import OMSKafka

/// One dead-lettered message of a service as ops see it: where it came from, why it failed, how
/// often it was tried and redriven, and a masked preview. Invariant: no unmasked personal data
/// (the preview and reason pass `PIIMask.scrub`).
public struct DeadLetterEntry: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable {
        /// Waiting for a fix and a redrive.
        case open
        /// Sent back to the service; a new entry appears if it fails again.
        case redriven
        /// Redriven the maximum number of times: left alone until someone looks at it.
        case quarantined
    }

    /// `<dlq partition>:<offset>`, what `dlq show` and `dlq redrive --id` take.
    public var id: String
    public var service: ServiceName
    public var eventId: String?
    public var eventType: String?
    public var orderKey: String?
    public var originalTopic: String
    public var originalPartition: String
    public var originalOffset: String
    public var reason: String
    public var attempts: Int
    public var redriveCount: Int
    public var failedAt: String
    public var state: State
    public var preview: String

    init(record: KafkaRecord, service: ServiceName, redriven: Bool, maxRedrives: Int) {
        id = "\(record.partition):\(record.offset)"
        self.service = service
        eventId = record.header(EventHeader.eventID)
        eventType = record.header(EventHeader.eventType)
        orderKey = record.key.map { String(decoding: $0, as: UTF8.self) }
        originalTopic = record.header(EventHeader.dlqOriginalTopic) ?? "?"
        originalPartition = record.header(EventHeader.dlqOriginalPartition) ?? "?"
        originalOffset = record.header(EventHeader.dlqOriginalOffset) ?? "?"
        reason = PIIMask.scrub(record.header(EventHeader.dlqError) ?? "")
        attempts = Int(record.header(EventHeader.dlqAttempts) ?? "") ?? 0
        redriveCount = Int(record.header(EventHeader.redriveCount) ?? "") ?? 0
        failedAt = record.header(EventHeader.dlqFailedAt) ?? ""
        state = redriven ? .redriven : (redriveCount >= maxRedrives ? .quarantined : .open)
        preview = PIIMask.preview(json: record.value, limit: 200)
    }
}
