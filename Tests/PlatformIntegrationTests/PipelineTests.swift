import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import Testing

@Suite("Consumer pipeline and outbox against real PostgreSQL and broker", .serialized)
struct PipelineTests {
    @Test("a consumer killed after its DB commit but before its offset commit: the redelivered batch changes nothing")
    func crashBetweenDatabaseAndOffsetCommit() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("crash", partitions: 3)
            let events = try h.effectEvents(count: 60)
            try await h.publish(events, to: topic)

            // The first worker commits its transaction, then "dies" before committing offsets.
            let crashed = FaultFlag()
            let faults = FaultInjector { point in
                if point == .pipelineAfterDatabaseCommit, crashed.trip() { throw InjectedFault(point) }
            }
            let (doomed, doomedConsumer) = try h.pipeline(group: "workers", topics: [topic], handlers: [EffectHandler()], faults: faults)
            var committedBeforeCrash = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, !crashed.tripped {
                do {
                    _ = try await doomed.processNextBatch()
                } catch is InjectedFault {
                    committedBeforeCrash = try await h.count("SELECT count(*)::int FROM effects")
                }
            }
            #expect(crashed.tripped)
            #expect(committedBeforeCrash > 0)
            await doomedConsumer.close()

            // Its replacement gets the same records again; the inbox turns them into no-ops.
            let (replacement, replacementConsumer) = try h.pipeline(group: "workers", topics: [topic], handlers: [EffectHandler()])
            // (The effects are all there already; wait for the redelivery itself, not for a row count.)
            var duplicates = 0
            let redeliveryDeadline = ContinuousClock.now + .seconds(30)
            while duplicates < committedBeforeCrash, ContinuousClock.now < redeliveryDeadline {
                duplicates += try await replacement.processNextBatch().duplicates
            }
            // Drain whatever else arrives for a moment: nothing may add rows.
            for _ in 0..<5 { _ = try await replacement.processNextBatch() }
            await replacementConsumer.close()

            #expect(duplicates >= committedBeforeCrash)
            #expect(try await h.count("SELECT count(*)::int FROM effects") == 60)
            #expect(try await h.count("SELECT count(DISTINCT sequence)::int FROM effects") == 60)
            #expect(try await h.count("SELECT count(*)::int FROM inbox") == 60)
        }
    }

    @Test("an outbox relay killed before marking rows sent: after restart every committed row is published")
    func relayCrashBeforeMarking() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("relay", partitions: 3)
            // 120 committed events, written the way services write them: state + outbox in one transaction.
            let events = try h.effectEvents(count: 120)
            for chunk in stride(from: 0, to: events.count, by: 40) {
                let slice = Array(events[chunk..<min(chunk + 40, events.count)])
                try await h.database.transaction(logger: h.logger) { context in
                    // Services emit logical topic names; the harness's namespace makes them its own.
                    for event in slice { context.emit(event, topic: h.namespace.logical(topic)) }
                }
            }
            // A transaction that rolls back leaves nothing to publish.
            await #expect(throws: HarnessError.self) {
                try await h.database.transaction(logger: h.logger) { context in
                    context.emit(try EventEnvelope.make(TestEffect(orderID: "ghost", sequence: -1), orderID: "ghost", producer: .intake), topic: h.namespace.logical(topic))
                    throw HarnessError("abort")
                }
            }
            #expect(try await h.count("SELECT count(*)::int FROM outbox WHERE sent_at IS NULL") == 120)

            let crashing = h.relay(faults: FaultInjector { point in
                if point == .relayAfterPublishBeforeMark { throw InjectedFault(point) }
            }, batchSize: 50)
            await #expect(throws: InjectedFault.self) { try await crashing.publishPending() }
            // The broker has the first 50, but the rows are still unsent: the crash lost the marks, not the rows.
            #expect(try await h.count("SELECT count(*)::int FROM outbox WHERE sent_at IS NULL") == 120)

            let restarted = h.relay(batchSize: 50)
            var published = 0
            while true {
                let n = try await restarted.publishPending()
                if n == 0 { break }
                published += n
            }
            #expect(published == 120)
            #expect(try await h.count("SELECT count(*)::int FROM outbox WHERE sent_at IS NULL") == 0)

            let expected = Set(events.map(\.eventID))
            let records = try await h.readAll(topic: topic) { records in
                Set(records.compactMap { $0.header(EventHeader.eventID).flatMap(UUID.init(uuidString:)) }).isSuperset(of: expected)
            }
            let seen = records.compactMap { $0.header(EventHeader.eventID).flatMap(UUID.init(uuidString:)) }
            #expect(Set(seen) == expected)
            #expect(seen.count == 170)  // 50 re-sent after the crash: duplicates that consumers deduplicate
            #expect(!records.contains { $0.keyText == "ghost" })
        }
    }

    @Test("a poison message lands in the dead-letter topic with its reason; later messages on the partition are processed")
    func poisonMessageDeadLettered() async throws {
        try await withHarness { h in
            try await h.migrate()
            let topic = try await h.topic("poison", partitions: 1)
            var events = try h.effectEvents(count: 6, orders: 1)
            // 1: payload that does not decode; 3: a schema version this code does not know;
            // 4: the domain rejects it. 0, 2, 5 are fine and must be processed in spite of them.
            events[1].payload = Array(#"{"orderID": 12}"#.utf8)
            events[3].schemaVersion = 9
            events[4].payload = try EventCoding.encode(TestEffect(orderID: events[4].orderID, sequence: -4))
            var messages = events.map { $0.kafkaMessage(topic: topic) }
            // And a record that is not an OMS event at all (no headers, garbage bytes).
            messages.insert(KafkaOutgoingMessage(topic: topic, key: Array("junk".utf8), value: [0xde, 0xad, 0xbe, 0xef]), at: 2)
            _ = try await h.producer.send(batch: messages).map { try $0.get() }

            let (pipeline, consumer) = try h.pipeline(group: "poison", topics: [topic], handlers: [EffectHandler()])
            let outcome = try await drive(pipeline) { try await h.count("SELECT count(*)::int FROM effects") >= 3 }
            await consumer.close()
            #expect(outcome.deadLettered == 4)
            #expect(try await h.effects().map(\.sequence) == [0, 2, 5])

            // Offsets moved past the poison: nothing is stuck.
            let lag = try await h.admin.groupOffsets(group: "test.\(h.id).poison", topics: [topic])
            #expect(lag.first?.committed == 7)

            // The dead letters reach <service>.dlq through the outbox, with reason and origin.
            while try await h.relay().publishPending() > 0 {}
            let dlq = try await h.readAll(topic: h.deadLetterTopic) { records in
                records.filter { $0.header(EventHeader.dlqOriginalTopic) == topic }.count >= 4
            }.filter { $0.header(EventHeader.dlqOriginalTopic) == topic }
            #expect(dlq.count == 4)
            let byOffset = Dictionary(dlq.map { (Int($0.header(EventHeader.dlqOriginalOffset)!)!, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(Set(byOffset.keys) == [1, 2, 4, 5])
            #expect(byOffset[1]?.header(EventHeader.dlqError)?.contains("malformed payload") == true)
            #expect(byOffset[2]?.header(EventHeader.dlqError)?.contains("missing header oms-event-id") == true)
            #expect(byOffset[2]?.value == [0xde, 0xad, 0xbe, 0xef])
            #expect(byOffset[4]?.header(EventHeader.dlqError)?.contains("unsupported schema version 9") == true)
            #expect(byOffset[5]?.header(EventHeader.dlqError)?.contains("negative sequence") == true)
            for record in dlq {
                #expect(record.header(EventHeader.dlqOriginalPartition) == "0")
                #expect(record.header(EventHeader.dlqAttempts) == "1")
                #expect(record.header(EventHeader.dlqService) == h.service.rawValue)
            }
        }
    }

    @Test("handler events go to the outbox in the same transaction and reach their topic through the relay")
    func handlerEmitsThroughOutbox() async throws {
        try await withHarness { h in
            try await h.migrate()
            let input = try await h.topic("in", partitions: 2)
            let output = try await h.topic("out", partitions: 2)
            let events = try h.effectEvents(count: 40)
            try await h.publish(events, to: input)
            let (pipeline, consumer) = try h.pipeline(group: "emit", topics: [input], handlers: [EffectHandler(followUpTopic: h.namespace.logical(output))], batchSize: 7)
            _ = try await drive(pipeline) { try await h.count("SELECT count(*)::int FROM effects") >= 40 }
            await consumer.close()
            #expect(try await h.count("SELECT count(*)::int FROM outbox") == 40)
            while try await h.relay().publishPending() > 0 {}
            let records = try await h.readAll(topic: output) { $0.count >= 40 }
            #expect(records.count == 40)
            let causes = Set(records.compactMap { $0.header(EventHeader.causationID).flatMap(UUID.init(uuidString:)) })
            #expect(causes == Set(events.map(\.eventID)))
        }
    }

    @Test("migrations applied twice concurrently end in one correct schema; an edited migration is refused")
    func concurrentMigrations() async throws {
        try await withHarness { h in
            let second = try DatabaseConfiguration(url: TestEnvironment.require().databaseURL, schema: h.schema).makeClient(logger: h.logger)
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask { await second.run(); return [] }
                async let a = Migrator.migrate(client: h.client, schema: h.schema, migrations: [Harness.effectsMigration], logger: h.logger)
                async let b = Migrator.migrate(client: second, schema: h.schema, migrations: [Harness.effectsMigration], logger: h.logger)
                let results = try await [a, b]
                group.cancelAll()
                return results
            }
            let platform = PlatformMigrations.all.map(\.version)
            #expect(results.contains(platform + [100]))
            #expect(results.contains([]))
            #expect(try await h.count("SELECT count(*)::int FROM schema_migrations") == platform.count + 1)
            #expect(try await h.count("SELECT count(*)::int FROM information_schema.tables WHERE table_schema = '\(h.schema)'") == 5, "inbox, outbox, access_audit, schema_migrations, effects")

            var edited = Harness.effectsMigration
            edited.sql += "\nCREATE INDEX effects_order ON effects (order_id);"
            await #expect(throws: (any Error).self) {
                try await Migrator.migrate(client: h.client, schema: h.schema, migrations: [edited], logger: h.logger)
            }
        }
    }
}

/// Trips once: the first call returns true.
final class FaultFlag: Sendable {
    private let state = NIOLockedValueBoxBool()
    func trip() -> Bool { state.exchange(true) == false }
    var tripped: Bool { state.value }
}
