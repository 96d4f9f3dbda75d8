import OMSDomain
import OMSPlatform

/// Decoding for insights' handlers: an event that cannot be read is rejected to the dead-letter
/// topic with the reason instead of stopping the consumer.
enum InsightsEvent {
    static func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(type) } catch { throw HandlerRejection("undecodable \(event.type): \(error)") }
    }
}
