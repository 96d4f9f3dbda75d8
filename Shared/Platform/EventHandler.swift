import Logging
import OMSDomain
import PostgresNIO

/// Handles events of some types for one service. Runs inside the batch's database transaction:
/// everything it writes through `context.connection` and every event it emits commit together,
/// or not at all. Invariant: a handler is deterministic given the database state and the event,
/// so redelivery after a rollback is harmless.
public protocol EventHandler: Sendable {
    /// Event types this handler processes; other types on the same topics are skipped.
    var eventTypes: Set<String> { get }

    /// Handles consecutive events of one batch, in order, e.g. with one multi-row statement: the
    /// throughput lever (one round trip instead of one per event). Must have the same effect as
    /// handling each event alone in order (the pipeline re-runs a failing batch event by event, as
    /// one-element batches, to find the one to dead-letter).
    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws
}

extension EventHandler {
    /// One event: a batch of one.
    public func handle(_ event: EventEnvelope, context: TransactionContext) async throws {
        try await handle(batch: [event], context: context)
    }
}

/// Thrown by a handler for an event that can never be processed (invalid content, a state
/// transition the domain forbids). The event goes to the dead-letter topic with `reason`.
public struct HandlerRejection: Error, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The transaction a handler or an HTTP route runs in, and the events it emits.
/// Invariant: emitted events are written to the outbox in the same transaction, in emit order.
public final class TransactionContext {
    public let connection: PostgresConnection
    public let logger: Logger
    public let service: ServiceName
    /// Topics passed to `emit`/`enqueue` are logical catalogue names, mapped through this.
    public let topics: TopicNamespace
    /// The service's key ring for customers' personal data in stored rows.
    public let vault: PIIVault
    private(set) var outgoing: [OutboxMessage] = []

    init(connection: PostgresConnection, logger: Logger, service: ServiceName, topics: TopicNamespace = .none, vault: PIIVault) {
        self.connection = connection
        self.vault = vault
        self.logger = logger
        self.service = service
        self.topics = topics
    }

    /// Emits `body` as a new event about `orderID` on `topic`, caused by `cause` when given.
    @discardableResult
    public func emit<E: DomainEvent>(_ body: E, orderID: String, topic: String, causedBy cause: EventEnvelope? = nil) throws -> EventEnvelope {
        let envelope = try EventEnvelope.make(body, orderID: orderID, producer: service, causedBy: cause)
        outgoing.append(OutboxMessage(envelope: envelope, topic: topics.physical(topic)))
        return envelope
    }

    /// Emits an already built envelope.
    public func emit(_ envelope: EventEnvelope, topic: String) {
        outgoing.append(OutboxMessage(envelope: envelope, topic: topics.physical(topic)))
    }

    /// Adds a raw outbox message (dead letters, raw intake payloads).
    public func enqueue(_ message: OutboxMessage) {
        var message = message
        message.topic = topics.physical(message.topic)
        outgoing.append(message)
    }

    /// Writes `envelope` to the outbox held back from the relay and returns the message to pass to
    /// `OutboxRelay.publishDirect` after the commit.
    public func enqueueForDirectPublish(_ envelope: EventEnvelope, topic: String) -> OutboxMessage {
        var message = OutboxMessage(envelope: envelope, topic: topics.physical(topic))
        message.publishedDirectly = true
        outgoing.append(message)
        return message
    }

    func drainOutgoing() -> [OutboxMessage] {
        defer { outgoing.removeAll() }
        return outgoing
    }
}
