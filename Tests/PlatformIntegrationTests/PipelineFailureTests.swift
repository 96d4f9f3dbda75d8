import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import Testing

/// Failures the review of issue 22 traced in the runtime: each test failed before its fix.
@Suite("Pipeline and relay failures: poison outbox rows, errors outside handlers, lock waits, failed rewinds", .serialized)
struct PipelineFailureTests {
    @Test("an outbox row the broker can never take is quarantined with its reason; the rows of its key after it go out once, in order")
    func poisonOutboxRowQuarantined() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("relay-poison", partitions: 1)
            let events = try h.effectEvents(count: 5, orders: 1)
            try await h.database.transaction(logger: h.logger) { context in
                for (index, event) in events.enumerated() {
                    var message = OutboxMessage(envelope: event, topic: h.namespace.logical(topic))
                    // Larger than the producer's message.max.bytes (1,000,000): refused at enqueue, every time.
                    if index == 2 { message.payload = Array(repeating: 0x7B, count: 1_200_000) }
                    context.enqueue(message)
                }
            }
            let relay = h.relay()
            var settled = 0
            for _ in 0..<10 {
                let n = try await relay.publishPending()
                if n == 0 { break }
                settled += n
            }
            #expect(settled == 5, "four published and one quarantined")
            #expect(try await h.count("SELECT count(*)::int FROM outbox WHERE sent_at IS NULL AND quarantined_at IS NULL") == 0)
            #expect(try await h.count("SELECT count(*)::int FROM outbox WHERE quarantined_at IS NOT NULL AND quarantine_reason LIKE '%too large%'") == 1)
            #expect(try await Outbox.quarantinedCount(on: h.client, logger: h.logger) == 1)

            // A sentinel after everything: once it is read, all the relay ever sent is in hand.
            let sentinel = try h.effectEvents(count: 1, orders: 1, startingAt: 99)
            try await h.publish(sentinel, to: topic)
            let records = try await h.readAll(topic: topic) { records in records.contains { $0.header(EventHeader.eventID).flatMap(UUID.init(uuidString:)) == sentinel[0].eventID } }
            let sequences = try records.map { try EventEnvelope(record: $0).decode(TestEffect.self).sequence }
            #expect(sequences == [0, 1, 3, 4, 99], "no row of the key overtakes another and none is sent twice")
        }
    }

    @Test("a record whose headers text cannot hold (NUL, bytes that are not UTF-8) is dead-lettered with those headers intact, and the batch commits")
    func deadLetterWithUnstorableHeaders() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("nul-headers", partitions: 1)
            let events = try h.effectEvents(count: 3, orders: 1)
            var messages = events.map { $0.kafkaMessage(topic: topic) }
            // The middle record claims a type nobody knows and carries headers PostgreSQL text refuses.
            messages[1].headers = messages[1].headers.filter { $0.key != EventHeader.eventType } + [
                KafkaHeader(key: EventHeader.eventType, value: Array("test.bogus\u{0}".utf8)),
                KafkaHeader(key: "x-trace", value: [0x61, 0x00, 0x62, 0xFF, 0xFE]),
            ]
            _ = try await h.producer.send(batch: messages).map { try $0.get() }

            let (pipeline, consumer) = try h.pipeline(group: "nul", topics: [topic], handlers: [EffectHandler()], knownEventTypes: [TestEffect.eventType])
            let outcome = try await drive(pipeline) { try await h.count("SELECT count(*)::int FROM effects") >= 2 }
            await consumer.close()
            #expect(outcome.deadLettered == 1)
            #expect(try await h.effects().map(\.sequence) == [0, 2])

            while try await h.relay().publishPending() > 0 {}
            let dlq = try await h.readAll(topic: h.deadLetterTopic) { records in records.contains { $0.header(EventHeader.dlqOriginalTopic) == topic } }
                .filter { $0.header(EventHeader.dlqOriginalTopic) == topic }
            #expect(dlq.count == 1)
            #expect(dlq.first?.headers.last { $0.key == "x-trace" }?.value == [0x61, 0x00, 0x62, 0xFF, 0xFE])
            #expect(dlq.first?.headers.last { $0.key == EventHeader.eventType }?.value == Array("test.bogus\u{0}".utf8))
            #expect(dlq.first?.header(EventHeader.dlqError)?.contains("unknown event type") == true)
        }
    }

    @Test("an event whose writes fail only at COMMIT (a deferred constraint) is found and dead-lettered; the rest of its batch commits")
    func commitFailureFindsItsEvent() async throws {
        try await withHarness { h in
            try await h.migrate([Harness.effectsMigration, Migration(version: 101, name: "deferred children", sql: """
                CREATE TABLE parents (order_id text PRIMARY KEY);
                CREATE TABLE children (order_id text NOT NULL REFERENCES parents DEFERRABLE INITIALLY DEFERRED, sequence integer NOT NULL);
                """)])
            let topic = try await h.topic("deferred", partitions: 1)
            let events = try h.effectEvents(count: 6, orders: 6)
            // Every order but the fourth has its parent row.
            for (index, event) in events.enumerated() where index != 3 {
                try await h.client.query("INSERT INTO parents VALUES (\(event.orderID))", logger: h.logger)
            }
            try await h.publish(events, to: topic)
            let (pipeline, consumer) = try h.pipeline(group: "deferred", topics: [topic], handlers: [ChildHandler()])
            // A constraint violation is retried (maxAttempts, 3) before it is dead-lettered: the
            // batch fails twice, then commits without the culprit. It used to fail forever.
            var failures = 0
            var deadLettered = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while try await h.count("SELECT count(*)::int FROM children") < 5, ContinuousClock.now < deadline {
                do { deadLettered += try await pipeline.processNextBatch().deadLettered } catch { failures += 1 }
            }
            await consumer.close()
            #expect(deadLettered == 1)
            #expect(failures == 2)
            #expect(try await h.count("SELECT count(*)::int FROM children") == 5)
            #expect(try await h.count("SELECT count(*)::int FROM children WHERE sequence = 3") == 0)
            let lag = try await h.admin.groupOffsets(group: "test.\(h.id).deferred", topics: [topic])
            #expect(lag.first?.committed == 6)
        }
    }

    @Test("a lock wait that times out (55P03) is load, not a bad event: the batch retries until the lock is free and nothing is dead-lettered")
    func lockTimeoutIsTransient() async throws {
        try await withHarness { h in
            try await h.migrate([Harness.effectsMigration, Migration(version: 101, name: "hot sku", sql: """
                CREATE TABLE hot_sku (sku text PRIMARY KEY, sold integer NOT NULL);
                INSERT INTO hot_sku VALUES ('HOT', 0);
                """)])
            let topic = try await h.topic("hot", partitions: 1)
            try await h.publish(try h.effectEvents(count: 1, orders: 1), to: topic)
            let (pipeline, consumer) = try h.pipeline(group: "hot", topics: [topic], handlers: [HotSkuHandler()])

            let locked = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Another transaction holds the SKU's row, as a long stock count would on a sale day.
                group.addTask {
                    try await h.client.withConnection { connection in
                        try await connection.query("BEGIN", logger: h.logger)
                        try await connection.query("UPDATE hot_sku SET sold = sold WHERE sku = 'HOT'", logger: h.logger)
                        locked.continuation.yield()
                        for await _ in release.stream { break }
                        try await connection.query("ROLLBACK", logger: h.logger)
                    }
                }
                for await _ in locked.stream { break }
                var failures = 0
                var deadLettered = 0
                let deadline = ContinuousClock.now + .seconds(30)
                while failures < 5, deadLettered == 0, ContinuousClock.now < deadline {
                    do {
                        deadLettered += try await pipeline.processNextBatch().deadLettered
                    } catch {
                        failures += 1
                    }
                }
                #expect(deadLettered == 0, "a lock timeout must not dead-letter a valid event")
                #expect(failures == 5)
                release.continuation.yield()
                try await group.waitForAll()
            }
            _ = try await drive(pipeline) { try await h.count("SELECT sold FROM hot_sku") == 1 }
            await consumer.close()
        }
    }

    @Test("a redriven record is handled by the group that consumes its original topic; the service's other group passes it by")
    func redriveReachesItsOwnGroup() async throws {
        try await withHarness { h in
            try await h.migrate()
            let raw = try await h.topic("raw", partitions: 1)
            let status = try await h.topic("status", partitions: 1)
            let redrive = h.namespace.physical(h.service.redriveTopic)
            try await h.admin.createTopics([(redrive, 1)])
            // What `omsctl dlq redrive` writes: the original record plus where it first failed.
            let event = try h.effectEvents(count: 1, orders: 1)[0]
            var message = event.kafkaMessage(topic: redrive)
            message.headers.append(KafkaHeader(key: EventHeader.dlqOriginalTopic, text: raw))
            _ = try await h.producer.send(message)

            // Two groups of one service, as intake's workers and status projection: each knows only its own topics' types.
            let (owner, ownerConsumer) = try h.pipeline(group: "workers", topics: [raw, redrive], handlers: [EffectHandler()], knownEventTypes: [TestEffect.eventType])
            let (other, otherConsumer) = try h.pipeline(group: "status", topics: [status, redrive], handlers: [], knownEventTypes: ["test.status"])
            let owned = try await drive(owner) { try await h.count("SELECT count(*)::int FROM effects") == 1 }
            let passed = try await drive(other) { try await h.admin.groupOffsets(group: "test.\(h.id).status", topics: [redrive]).first?.committed == 1 }
            await ownerConsumer.close()
            await otherConsumer.close()
            #expect(owned.processed == 1 && owned.deadLettered == 0)
            #expect(passed.deadLettered == 0, "the other group used to dead-letter it as an unknown type")
            #expect(passed.ignored == 1)
        }
    }

    @Test("a batch that cannot be rewound stops the pipeline instead of committing past it")
    func failedRewindStopsThePipeline() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("rewind", partitions: 1)
            try await h.publish(try h.effectEvents(count: 3, orders: 1), to: topic)
            let faults = FaultInjector { point in
                if point == .pipelineSeek { throw KafkaError(kind: .consumer, message: "seek: injected failure") }
            }
            let (pipeline, _) = try h.pipeline(group: "rewind", topics: [topic], handlers: [FlakyInfrastructureHandler()], faults: faults)
            // The handler fails as if the broker went away; the rewind then fails too: run() must end with it.
            let ended: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
                group.addTask {
                    do { try await pipeline.run(); return nil } catch { return error }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(30))
                    return HarnessError("pipeline still running after 30 s")
                }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            #expect(ended is RewindFailed, "\(String(describing: ended))")
            #expect(try await h.count("SELECT count(*)::int FROM effects") == 0)
            let lag = try await h.admin.groupOffsets(group: "test.\(h.id).rewind", topics: [topic])
            #expect((lag.first?.committed ?? 0) == 0, "no offset may move past the unprocessed batch")
        }
    }
}

/// Inserts a child row per event; the parent is checked only at COMMIT.
struct ChildHandler: EventHandler {
    let eventTypes: Set<String> = [TestEffect.eventType]
    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let body = try event.decode(TestEffect.self)
        try await context.connection.query("INSERT INTO children VALUES (\(body.orderID), \(body.sequence))", logger: context.logger)
    }
}

/// Sells one unit of a hot SKU, waiting at most 100 ms for its row lock.
struct HotSkuHandler: EventHandler {
    let eventTypes: Set<String> = [TestEffect.eventType]
    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        try await context.connection.query("SET LOCAL lock_timeout = '100ms'", logger: context.logger)
        try await context.connection.query("UPDATE hot_sku SET sold = sold + 1 WHERE sku = 'HOT'", logger: context.logger)
    }
}

/// Fails every event as infrastructure would (a transient broker error).
struct FlakyInfrastructureHandler: EventHandler {
    let eventTypes: Set<String> = [TestEffect.eventType]
    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        throw KafkaError(kind: .timeout, message: "injected: broker unavailable")
    }
}
