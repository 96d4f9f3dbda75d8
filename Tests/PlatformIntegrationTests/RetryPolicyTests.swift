import Foundation
import NIOConcurrencyHelpers
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import Testing

/// Has its own database connection killed the first `failures` times it runs: the database "goes
/// away" in the middle of a batch, while a statement is running. The backend is terminated from
/// another connection of the pool, as a database restart or an operator would.
///
/// (A connection that dies *between* statements is not exercised here: PostgresNIO 1.33 drops a
/// query written to an already closed channel and its caller waits forever. The services'
/// `PipelineWatchdog` turns that into a process restart; see docs/architecture.md.)
struct ConnectionKillingHandler: EventHandler {
    let eventTypes: Set<String> = [TestEffect.eventType]
    let remaining: NIOLockedValueBox<Int>
    let killer: PostgresClient

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let kill = remaining.withLockedValue { value -> Bool in
            guard value > 0 else { return false }
            value -= 1
            return true
        }
        if kill {
            var pid: Int32 = 0
            for try await value in try await context.connection.query("SELECT pg_backend_pid()", logger: context.logger).decode(Int32.self) { pid = value }
            let logger = context.logger
            async let terminated: Void = {
                try await Task.sleep(for: .milliseconds(300))
                for try await _ in try await killer.query("SELECT pg_terminate_backend(\(pid))", logger: logger) {}
            }()
            for try await _ in try await context.connection.query("SELECT pg_sleep(20)", logger: context.logger) {}
            try await terminated
        }
        try await EffectHandler().handle(event, context: context)
    }
}

/// Fails with an unclassified error for events whose sequence is in `alwaysFailing`, and the first
/// `flaky` times for the others.
struct FlakyHandler: EventHandler {
    struct Boom: Error {}
    let eventTypes: Set<String> = [TestEffect.eventType]
    let alwaysFailing: Set<Int>
    let flaky: NIOLockedValueBox<Int>

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let body = try event.decode(TestEffect.self)
        if alwaysFailing.contains(body.sequence) { throw Boom() }
        let fail = flaky.withLockedValue { value -> Bool in
            guard value > 0 else { return false }
            value -= 1
            return true
        }
        if fail { throw Boom() }
        try await EffectHandler().handle(event, context: context)
    }
}

@Suite("Pipeline retry policy against real PostgreSQL and broker", .serialized)
struct RetryPolicyTests {
    @Test("losing the database mid-batch rewinds the batch and retries; nothing is skipped or doubled")
    func transientDatabaseLoss() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("transient", partitions: 2)
            try await h.publish(try h.effectEvents(count: 30), to: topic)
            let handler = ConnectionKillingHandler(remaining: NIOLockedValueBox(2), killer: h.client)
            let (pipeline, consumer) = try h.pipeline(group: "transient", topics: [topic], handlers: [handler])
            var transientFailures = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, try await h.count("SELECT count(*)::int FROM effects") < 30 {
                do {
                    _ = try await pipeline.processNextBatch()
                } catch {
                    #expect(FailureClass.classify(error) == .transient)
                    transientFailures += 1
                }
            }
            for _ in 0..<3 { _ = try await pipeline.processNextBatch() }
            await consumer.close()
            #expect(transientFailures == 2)
            #expect(try await h.count("SELECT count(*)::int FROM effects") == 30)
            #expect(try await h.count("SELECT count(DISTINCT sequence)::int FROM effects") == 30)
            let offsets = try await h.admin.groupOffsets(group: "test.\(h.id).transient", topics: [topic])
            #expect(offsets.map(\.lag).reduce(0, +) == 0)
        }
    }

    @Test("a transaction whose session the server ends never hands that dead connection to the next caller: 30 kills in a row on a one-connection pool")
    func killedSessionIsNotReused() async throws {
        try await withHarness { h in
            var configuration = try DatabaseConfiguration(url: try TestEnvironment.require().databaseURL, schema: h.schema)
            configuration.maximumConnections = 1
            let victim = configuration.makeClient(logger: h.logger)
            let database = ServiceDatabase(client: victim, service: h.service, topics: h.namespace)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await victim.run() }
                var failedFollowUps: [String] = []
                for round in 0..<30 {
                    do {
                        try await database.transaction(logger: h.logger) { context in
                            var pid: Int32 = 0
                            for try await value in try await context.connection.query("SELECT pg_backend_pid()", logger: context.logger).decode(Int32.self) { pid = value }
                            let killer = h.client
                            let logger = context.logger
                            async let terminated: Void = {
                                try await Task.sleep(for: .milliseconds(50))
                                for try await _ in try await killer.query("SELECT pg_terminate_backend(\(pid))", logger: logger) {}
                            }()
                            for try await _ in try await context.connection.query("SELECT pg_sleep(10)", logger: context.logger) {}
                            try await terminated
                        }
                        Issue.record("round \(round): the killed transaction committed")
                    } catch {
                        #expect(FailureClass.classify(error) == .transient)
                    }
                    // The very next caller: before the fix it could be lent the killed connection
                    // and fail ("connection closed") or wait forever on a statement never sent.
                    do {
                        #expect(try await countRows(victim, "SELECT 1", logger: h.logger) == 1)
                    } catch {
                        failedFollowUps.append("round \(round): \(String(reflecting: error).prefix(160))")
                    }
                }
                #expect(failedFollowUps.isEmpty, "\(failedFollowUps.joined(separator: "\n"))")
                group.cancelAll()
            }
        }
    }

    @Test("an unclassified failure is retried; after the attempt limit only that event is dead-lettered")
    func boundedRetriesThenDeadLetter() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("flaky", partitions: 1)
            try await h.publish(try h.effectEvents(count: 10), to: topic)
            let handler = FlakyHandler(alwaysFailing: [4], flaky: NIOLockedValueBox(1))
            let (pipeline, consumer) = try h.pipeline(group: "flaky", topics: [topic], handlers: [handler])
            var failures = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, try await h.count("SELECT count(*)::int FROM effects") < 9 {
                do { _ = try await pipeline.processNextBatch() } catch { failures += 1 }
            }
            await consumer.close()
            // The flaky failure is absorbed by the event-by-event re-run of the batch; event 4 then
            // fails twice more (two rewinds) before its third attempt dead-letters it.
            #expect(failures == 2)
            #expect(try await h.effects().map(\.sequence) == [0, 1, 2, 3, 5, 6, 7, 8, 9])
            while try await h.relay().publishPending() > 0 {}
            let dlq = try await h.readAll(topic: h.deadLetterTopic) { records in
                records.contains { $0.header(EventHeader.dlqOriginalTopic) == topic }
            }.filter { $0.header(EventHeader.dlqOriginalTopic) == topic }
            #expect(dlq.count == 1)
            #expect(dlq.first?.header(EventHeader.dlqAttempts) == "3")
            #expect(dlq.first?.header(EventHeader.dlqOriginalOffset) == "4")
        }
    }
}
