import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OMSDomain
import OMSKafka
import PostgresNIO
import ServiceLifecycle

/// Publishes committed outbox rows to Kafka in id order and marks them sent. One relay per
/// service schema is active at a time (transaction-scoped advisory lock), so per-key order holds
/// across replicas. After a crash between publish and mark, rows are simply published again;
/// consumers deduplicate by event id. Invariant: a row is marked sent only after the broker
/// acknowledged it and every row before it in the batch; a row the broker can never take
/// (unknown topic, too large) is quarantined with its reason, never retried forever.
public final class OutboxRelay: Service, Sendable {
    public struct Configuration: Sendable {
        public var batchSize: Int = 1_000
        /// How long an idle relay waits before looking again. Commits in this process wake it at
        /// once (`RelaySignal`), so this bounds only rows other processes left (replicas that lost
        /// the relay lock, held direct-publish rows) and costs one poll per interval at rest.
        public var idle: Duration = .milliseconds(250)
        /// How soon a relay that found another replica holding the relay lock tries again.
        public var contended: Duration = .milliseconds(20)
        /// Sent rows older than this are deleted. Rows hold the plain event payloads (customers'
        /// names, phones, addresses), so they go soon after the broker has them.
        public var retention: Duration = .seconds(60)
        public init() {}
    }

    private let database: ServiceDatabase
    private let producer: KafkaProducer
    /// When the round in progress began, for `PipelineWatchdog`.
    public let heartbeat = PipelineHeartbeat()
    private let configuration: Configuration
    private let metrics: PlatformMetrics
    private let logger: Logger
    private let faults: FaultInjector?
    private let startGate: StartGate?
    public let signal: RelaySignal
    /// Event ids published directly and not yet marked sent; marked in bulk by the relay loop.
    private let directlyPublished = NIOLockedValueBox([UUID]())

    public init(database: ServiceDatabase, producer: KafkaProducer, signal: RelaySignal, configuration: Configuration = .init(), metrics: PlatformMetrics, logger: Logger, faults: FaultInjector? = nil, startGate: StartGate? = nil) {
        self.database = database
        self.producer = producer
        self.signal = signal
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.faults = faults
        self.startGate = startGate
    }

    /// Publishes up to one batch of pending rows. Returns how many rows it settled: published and
    /// marked sent, or quarantined because the broker can never take them.
    @discardableResult
    public func publishPending() async throws -> Int {
        try await publishRound().published
    }

    /// One relay round: whether this relay held the lock, and how many rows it published.
    private func publishRound() async throws -> (published: Int, contended: Bool) {
        let schema = database.schema
        let batchSize = configuration.batchSize
        return try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let published = try await publish(on: connection, schema: schema, batchSize: batchSize)
                try await connection.query("COMMIT", logger: logger)
                return published
            } catch {
                await connection.endFailedTransaction(after: error, logger: logger)
                throw error
            }
        }
    }

    private func publish(on connection: PostgresConnection, schema: String, batchSize: Int) async throws -> (published: Int, contended: Bool) {
        let lock = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext(\("oms.relay." + schema)))", logger: logger)
        var locked = false
        for try await value in lock.decode(Bool.self) { locked = value }
        guard locked else { return (0, true) }

        let rows = try await connection.query("""
            SELECT id, event_id, topic, message_key, headers, payload FROM outbox
            WHERE sent_at IS NULL AND quarantined_at IS NULL AND (publish_after IS NULL OR publish_after <= now())
            ORDER BY id LIMIT \(batchSize)
            """, logger: logger)
        var ids: [Int64] = []
        var messages: [KafkaOutgoingMessage] = []
        for try await (id, _, topic, key, headers, payload) in rows.decode((Int64, UUID, String, ByteBuffer, String, ByteBuffer).self) {
            ids.append(id)
            messages.append(KafkaOutgoingMessage(topic: topic, key: Array(buffer: key), value: Array(buffer: payload), headers: OutboxMessage.decodeHeaders(headers)))
        }
        guard !messages.isEmpty else { return (0, false) }

        let started = ContinuousClock.now
        let results = try await producer.send(batch: messages)
        metrics.relayPublishDuration.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
        // Mark the acknowledged prefix only: a failed row and everything after it is retried,
        // which keeps per-key order at the cost of possible (deduplicated) repeats. The producer
        // stops enqueuing at the first refused row, so no later row overtakes it.
        let acknowledged = results.firstIndex { if case .failure = $0 { return true } else { return false } } ?? results.count
        var quarantined: (id: Int64, reason: String)?
        if acknowledged < results.count, case .failure(let error) = results[acknowledged] {
            if error.isPermanentForMessage {
                // No retry can publish this row: set it aside so the rows behind it move on.
                quarantined = (ids[acknowledged], error.description)
                logger.error("outbox row quarantined", metadata: ["outbox_id": "\(ids[acknowledged])", "topic": "\(messages[acknowledged].topic)", "error": "\(error)"])
            } else {
                logger.warning("outbox publish incomplete", metadata: ["acknowledged": "\(acknowledged)", "batch": "\(results.count)", "error": "\(error)"])
            }
            metrics.count("oms_outbox_publish_failures_total")
        }
        try await faults?.check(.relayAfterPublishBeforeMark)
        let sent = Array(ids.prefix(acknowledged))
        if !sent.isEmpty {
            try await connection.query("UPDATE outbox SET sent_at = now() WHERE id = ANY(\(sent)::int8[])", logger: logger)
        }
        if let quarantined {
            try await connection.query("UPDATE outbox SET quarantined_at = now(), quarantine_reason = \(quarantined.reason) WHERE id = \(quarantined.id)", logger: logger)
            metrics.count("oms_outbox_quarantined_total")
        }
        metrics.count("oms_outbox_published_total", by: sent.count)
        return (sent.count + (quarantined == nil ? 0 : 1), false)
    }

    /// Publishes messages a writer just committed with `TransactionContext.enqueueForDirectPublish`
    /// and waits for the broker's acknowledgement, then marks them sent: for callers that must
    /// answer only once their message is on the topic (the intake edge). If this fails or the
    /// process dies first, the rows are still in the outbox and the relay publishes them after
    /// the hold. Only for messages that are the sole message of their key at that moment, since
    /// they bypass the relay's per-key ordering.
    public func publishDirect(_ messages: [OutboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        let results = try await producer.send(batch: messages.map(\.kafkaMessage))
        var acknowledged: [UUID] = []
        var firstError: (any Error)?
        for (message, result) in zip(messages, results) {
            switch result {
            case .success: acknowledged.append(message.eventID)
            case .failure(let error): firstError = firstError ?? error
            }
        }
        if !acknowledged.isEmpty {
            // Marking is bookkeeping, not correctness (an unmarked row is republished after the
            // hold and deduplicated downstream), so the caller does not wait for it: the relay loop
            // marks everything published directly since its last pass in one statement.
            directlyPublished.withLockedValue { $0 += acknowledged }
            metrics.count("oms_outbox_published_total", by: acknowledged.count)
        }
        if let firstError { throw firstError }
    }

    /// Marks the rows published directly since the last call. Returns how many ids it marked.
    @discardableResult
    public func markDirectlyPublished() async throws -> Int {
        let ids = directlyPublished.withLockedValue { ids in
            defer { ids.removeAll(keepingCapacity: true) }
            return ids
        }
        guard !ids.isEmpty else { return 0 }
        do {
            try await database.client.query("UPDATE outbox SET sent_at = now() WHERE event_id = ANY(\(ids)::uuid[]) AND sent_at IS NULL", logger: logger)
        } catch {
            directlyPublished.withLockedValue { $0 += ids }
            throw error
        }
        return ids.count
    }

    /// Deletes sent rows older than the retention period.
    public func purgeSent() async throws {
        let seconds = Double(configuration.retention.components.seconds)
        try await database.client.query("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => \(seconds))", logger: logger)
    }

    public func run() async throws {
        if let startGate, await !startGate.wait() { return }
        var lastHousekeeping = ContinuousClock.now
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var round = (published: 0, contended: false)
            heartbeat.begin()
            defer { heartbeat.end() }
            do {
                try await markDirectlyPublished()
                round = try await publishRound()
                failures = 0
            } catch {
                failures += 1
                logger.warning("outbox relay failed; retrying", metadata: ["error": "\(PIIMask.scrub(String(describing: error)))", "attempt": "\(failures)"])
                try? await Task.sleep(for: Backoff.delay(attempt: failures))
                continue
            }
            if ContinuousClock.now - lastHousekeeping > .seconds(5) {
                lastHousekeeping = ContinuousClock.now
                if let backlog = try? await Outbox.pendingCount(on: database.client, logger: logger) {
                    metrics.set("oms_outbox_backlog", to: Double(backlog))
                }
                if let quarantined = try? await Outbox.quarantinedCount(on: database.client, logger: logger) {
                    metrics.set("oms_outbox_quarantined", to: Double(quarantined))
                }
                try? await purgeSent()
            }
            if round.contended {
                await signal.wait(upTo: configuration.contended)
            } else if round.published < configuration.batchSize {
                await signal.wait(upTo: configuration.idle)
            }
        }
        // On a graceful stop (the pool shuts down after the relay) drain what committed, so a
        // clean stop leaves nothing behind. On cancellation the pool is going away too: rows
        // simply wait for the next start.
        guard !Task.isCancelled else { return }
        _ = try? await markDirectlyPublished()
        for _ in 0..<100 {
            guard let published = try? await publishPending(), published > 0 else { break }
        }
    }
}
