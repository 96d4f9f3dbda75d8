import Foundation
import Logging
import OMSDomain
import OMSKafka
import PostgresNIO
import ServiceLifecycle

/// The loop every service's event handling runs on:
/// poll a batch -> one database transaction (inbox dedup, handlers, outbox rows, dead letters)
/// -> commit -> commit Kafka offsets.
/// Invariants: offsets are committed only after the transaction committed; a transient failure
/// rewinds to the batch start and retries with backoff, never advancing offsets; a permanent
/// failure (of a handler, or of the inbox claim or outbox rows an event brings) dead-letters that
/// one record and the rest of the batch still commits; a rewind that fails stops the pipeline
/// (its `run` throws, the process exits for its supervisor) rather than commit past the batch.
public final class ConsumerPipeline: Service, Sendable {
    public struct Configuration: Sendable {
        public var groupID: String
        public var topics: [String]
        public var batchSize: Int = 500
        public var pollTimeout: Duration = .milliseconds(100)
        /// Attempts for an event failing with an unclassified error before it is dead-lettered.
        public var maxAttempts: Int = 3
        /// Event types the topics are known to carry (from the topic catalogue). A type outside it
        /// is dead-lettered as unknown; a known type this group has no handler for is skipped.
        /// Empty: every unhandled type is skipped.
        public var knownEventTypes: Set<String> = []

        public init(groupID: String, topics: [String]) {
            self.groupID = groupID
            self.topics = topics
        }
    }

    /// What one batch did; returned by `processNextBatch` for tests and benchmarks.
    public struct BatchOutcome: Sendable, Equatable {
        public var polled = 0
        public var processed = 0
        public var duplicates = 0
        public var ignored = 0
        public var deadLettered = 0

        public init(polled: Int = 0) { self.polled = polled }
    }

    public let configuration: Configuration
    private let service: ServiceName
    private let consumer: KafkaConsumer
    private let database: ServiceDatabase
    private let handlers: [String: any EventHandler]
    private let metrics: PlatformMetrics
    private let logger: Logger
    private let faults: FaultInjector?
    private let startGate: StartGate?
    private let attempts = AttemptTracker()
    /// When the batch in progress began, for `PipelineWatchdog`.
    public let heartbeat = PipelineHeartbeat()

    public init(service: ServiceName, configuration: Configuration, consumer: KafkaConsumer, database: ServiceDatabase, handlers: [any EventHandler], metrics: PlatformMetrics, logger: Logger, faults: FaultInjector? = nil, startGate: StartGate? = nil) {
        var byType: [String: any EventHandler] = [:]
        for handler in handlers {
            for type in handler.eventTypes {
                precondition(byType[type] == nil, "two handlers for \(type) in one pipeline")
                byType[type] = handler
            }
        }
        self.service = service
        self.configuration = configuration
        self.consumer = consumer
        self.database = database
        self.handlers = byType
        self.metrics = metrics
        self.logger = logger
        self.faults = faults
        self.startGate = startGate
    }

    public func subscribe() throws {
        try consumer.subscribe(topics: configuration.topics)
    }

    public func run() async throws {
        if let startGate, await !startGate.wait() {
            await consumer.close()
            return
        }
        try subscribe()
        var failures = 0
        var lastLag = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            heartbeat.begin()
            defer { heartbeat.end() }
            do {
                _ = try await processNextBatch()
                failures = 0
            } catch let failed as RewindFailed {
                // Going on would let the next batch commit offsets past the failed one.
                logger.critical("batch failed and could not be rewound; stopping the consumer", metadata: [
                    "error": "\(PIIMask.scrub(String(describing: failed)).prefix(400))", "group": "\(configuration.groupID)",
                ])
                metrics.count("oms_pipeline_rewind_failures_total")
                await consumer.close()
                throw failed
            } catch {
                failures += 1
                metrics.count("oms_pipeline_transient_failures_total")
                logger.warning("batch failed; rewound and retrying", metadata: [
                    "error": "\(PIIMask.scrub(String(describing: error)).prefix(400))", "attempt": "\(failures)",
                ])
                try? await Task.sleep(for: Backoff.delay(attempt: failures))
            }
            if ContinuousClock.now - lastLag > .seconds(2) {
                lastLag = ContinuousClock.now
                for (partition, lag) in consumer.lag() {
                    metrics.set("oms_consumer_lag", [("group", configuration.groupID), ("topic", partition.topic), ("partition", String(partition.partition))], to: Double(lag))
                }
            }
        }
        await consumer.close()
    }

    /// Polls and fully processes one batch. Throws only for transient failures, after rewinding
    /// the consumer to the start of the batch (so nothing is skipped); throws `RewindFailed` when
    /// that rewind failed, after which this consumer must not poll again.
    @discardableResult
    public func processNextBatch() async throws -> BatchOutcome {
        let records = try await consumer.poll(maxMessages: configuration.batchSize, timeout: configuration.pollTimeout)
        guard !records.isEmpty else { return BatchOutcome() }
        let started = ContinuousClock.now
        do {
            let outcome = try await process(records)
            // The follow-up events are committed: the relay may publish them while the offsets
            // are being committed.
            database.relaySignal?.signal()
            try await faults?.check(.pipelineAfterDatabaseCommit)
            try await consumer.commit(after: records)
            metrics.batchDuration.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
            return outcome
        } catch {
            do {
                try await faults?.check(.pipelineSeek)
                try await consumer.seek(Self.batchStart(records))
            } catch let seekError {
                throw RewindFailed(batchError: String(describing: error), seekError: String(describing: seekError))
            }
            throw error
        }
    }

    static func batchStart(_ records: [KafkaRecord]) -> [TopicPartitionOffset] {
        var first: [TopicPartition: Int64] = [:]
        for record in records {
            let tp = TopicPartition(topic: record.topic, partition: record.partition)
            first[tp] = min(first[tp] ?? .max, record.offset)
        }
        return first.map { TopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
    }

    /// A record decoded and matched to its handler.
    private struct Work: Sendable {
        var index: Int
        var record: KafkaRecord
        var envelope: EventEnvelope
        var handler: any EventHandler
    }

    private func process(_ records: [KafkaRecord]) async throws -> BatchOutcome {
        var outcome = BatchOutcome(polled: records.count)
        var deadLetters: [Int: (reason: String, attempts: Int)] = [:]
        var work: [Work] = []
        var topicCounts: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            topicCounts[record.topic, default: 0] += 1
            // A service's groups share its redrive topic; a redriven record belongs to the group
            // that consumes the topic it first failed on, and every other group passes it by.
            if record.topic.hasSuffix(".redrive"), let original = record.header(EventHeader.dlqOriginalTopic), !configuration.topics.contains(original) {
                outcome.ignored += 1
                continue
            }
            do {
                let envelope = try EventEnvelope(record: record)
                guard let handler = handlers[envelope.type] else {
                    if configuration.knownEventTypes.isEmpty || configuration.knownEventTypes.contains(envelope.type) {
                        outcome.ignored += 1
                    } else {
                        deadLetters[index] = ("unknown event type \(envelope.type.prefix(100)) (not in the topic catalogue for \(record.topic))", 1)
                    }
                    continue
                }
                work.append(Work(index: index, record: record, envelope: envelope, handler: handler))
            } catch {
                deadLetters[index] = (String(describing: error), 1)
            }
        }
        for (topic, count) in topicCounts { metrics.count("oms_events_consumed_total", [("topic", topic)], by: count) }

        // Run the batch in one transaction. A permanent or exhausted failure of one event rolls the
        // transaction back, marks that event for the dead-letter topic and runs the batch again
        // without it; a transient failure propagates (the caller rewinds and backs off).
        var perEvent = false
        while true {
            let excluded = Set(deadLetters.keys)
            let pending = work.filter { !excluded.contains($0.index) }
            let result: Result<(processed: Int, duplicates: Int), BatchAbort> = try await database.client.withConnection { [perEvent] connection in
                try await self.runTransaction(pending: pending, deadLetters: deadLetters, records: records, perEvent: perEvent, connection: connection)
            }
            switch result {
            case .success(let counts):
                outcome.processed = counts.processed
                outcome.duplicates = counts.duplicates
                outcome.deadLettered = deadLetters.count
                metrics.count("oms_events_processed_total", by: counts.processed)
                metrics.count("oms_events_duplicate_total", by: counts.duplicates)
                metrics.count("oms_events_ignored_total", by: outcome.ignored)
                metrics.count("oms_events_dead_lettered_total", by: deadLetters.count)
                for (index, entry) in deadLetters.sorted(by: { $0.key < $1.key }) {
                    let record = records[index]
                    logger.error("event dead-lettered", metadata: [
                        "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                        "reason": "\(PIIMask.scrub(entry.reason))", "attempts": "\(entry.attempts)",
                    ])
                }
                return outcome
            case .failure(let abort):
                if let index = abort.index {
                    deadLetters[index] = (abort.reason, abort.attempts)
                } else {
                    // A batched handler call failed: find the culprit event by event.
                    perEvent = true
                }
            }
        }
    }

    /// Why a transaction was abandoned: one event must be dead-lettered.
    private struct BatchAbort: Error {
        /// The record to dead-letter; nil when a batched call failed and the culprit is unknown yet.
        var index: Int?
        var reason: String
        var attempts: Int
    }

    private func runTransaction(pending: [Work], deadLetters: [Int: (reason: String, attempts: Int)], records: [KafkaRecord], perEvent: Bool, connection: PostgresConnection) async throws -> Result<(processed: Int, duplicates: Int), BatchAbort> {
        do {
            let counts = try await ServiceDatabase.transaction(on: connection, service: service, topics: database.topics, vault: database.vault, logger: logger) { context in
                let counts = perEvent
                    ? try await runEventByEvent(pending, context: context)
                    : try await runBatched(pending, context: context)
                for (index, entry) in deadLetters.sorted(by: { $0.key < $1.key }) {
                    context.enqueue(DeadLetter.message(for: records[index], service: service, topics: database.topics, reason: entry.reason, attempts: entry.attempts))
                }
                return counts
            }
            for item in pending { attempts.clear(item.envelope.eventID) }
            return .success(counts)
        } catch let abort as BatchAbort {
            if let index = abort.index {
                attempts.clear(records[index].header(EventHeader.eventID).flatMap(UUID.init(uuidString:)))
            }
            return .failure(abort)
        } catch {
            // The inbox claim, the outbox rows or COMMIT failed outside any handler. Infrastructure
            // trouble waits and retries; anything else is some event's doing: go event by event,
            // where the culprit's own statements fail under it and it alone is dead-lettered.
            if case .transient = FailureClass.classify(error) { throw error }
            if !perEvent { return .failure(BatchAbort(index: nil, reason: "", attempts: 0)) }
            throw error
        }
    }

    private func inboxEntry(_ item: Work) -> Inbox.Entry {
        Inbox.Entry(eventID: item.envelope.eventID, eventType: item.envelope.type, topic: item.record.topic, partition: item.record.partition, offset: item.record.offset)
    }

    /// The fast path: one inbox claim for the batch, consecutive events of one handler in one call.
    private func runBatched(_ pending: [Work], context: TransactionContext) async throws -> (processed: Int, duplicates: Int) {
        let claimed = try await Inbox.claim(pending.map(inboxEntry), on: context.connection, logger: logger)
        var remaining = claimed
        var fresh: [Work] = []
        for item in pending where remaining.remove(item.envelope.eventID) != nil {
            fresh.append(item)
        }
        var start = 0
        while start < fresh.count {
            var end = start + 1
            while end < fresh.count, fresh[end].handler.eventTypes == fresh[start].handler.eventTypes { end += 1 }
            let run = fresh[start..<end]
            let started = ContinuousClock.now
            do {
                try await run.first!.handler.handle(batch: run.map(\.envelope), context: context)
            } catch {
                switch FailureClass.classify(error) {
                case .transient:
                    throw error
                case .permanent(let reason) where run.count == 1:
                    throw BatchAbort(index: run.first!.index, reason: reason, attempts: 1)
                default:
                    throw BatchAbort(index: nil, reason: "", attempts: 0)
                }
            }
            let elapsed = Int64((ContinuousClock.now - started).nanoseconds) / Int64(run.count)
            for _ in run { metrics.handlerDuration.recordNanoseconds(elapsed) }
            start = end
        }
        return (processed: fresh.count, duplicates: pending.count - fresh.count)
    }

    /// The culprit-finding path: each event's inbox claim, handler and outbox rows run on their
    /// own, with deferred constraints checked at once, so whatever fails names its event.
    private func runEventByEvent(_ pending: [Work], context: TransactionContext) async throws -> (processed: Int, duplicates: Int) {
        try await context.connection.query("SET CONSTRAINTS ALL IMMEDIATE", logger: logger)
        var processed = 0
        for item in pending {
            let started = ContinuousClock.now
            do {
                guard try await !Inbox.claim([inboxEntry(item)], on: context.connection, logger: logger).isEmpty else { continue }
                try await item.handler.handle(item.envelope, context: context)
                try await Outbox.append(context.drainOutgoing(), on: context.connection, logger: logger)
            } catch {
                switch FailureClass.classify(error) {
                case .transient:
                    throw error
                case .permanent(let reason):
                    throw BatchAbort(index: item.index, reason: reason, attempts: 1)
                case .retryable(let reason):
                    let attempt = attempts.recordFailure(item.envelope.eventID)
                    if attempt >= configuration.maxAttempts {
                        throw BatchAbort(index: item.index, reason: reason, attempts: attempt)
                    }
                    throw error
                }
            }
            metrics.handlerDuration.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
            processed += 1
        }
        return (processed: processed, duplicates: pending.count - processed)
    }
}

/// A batch failed and the consumer could not be rewound to its start: its position is past records
/// that were not processed, so it must not poll again. The pipeline stops and the process exits
/// (its supervisor restarts it and the group resumes from the last committed offsets).
public struct RewindFailed: Error, CustomStringConvertible {
    public var batchError: String
    public var seekError: String
    public var description: String { "rewind after a failed batch failed: \(seekError) (batch: \(batchError))" }
}
