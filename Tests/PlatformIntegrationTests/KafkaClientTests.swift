import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform
import Testing

@Suite("Kafka wrapper against the real broker", .serialized)
struct KafkaClientTests {
    @Test("produce/consume round trip keeps key, headers and value; one key stays on one partition")
    func roundTrip() async throws {
        try await withHarness { h in
            let topic = try await h.topic("roundtrip", partitions: 3)
            let messages = (0..<30).map { i in
                KafkaOutgoingMessage(topic: topic, key: Array("order-\(i % 3)".utf8), value: Array("value-\(i)".utf8),
                                     headers: [KafkaHeader(key: "seq", text: String(i)), KafkaHeader(key: "kind", text: "test")])
            }
            let reports = try await h.producer.send(batch: messages).map { try $0.get() }
            #expect(reports.count == 30)
            let received = try await h.readAll(topic: topic) { $0.count >= 30 }
            #expect(received.count == 30)
            var partitionOfKey: [String: Int32] = [:]
            for record in received {
                let seq = Int(record.header("seq") ?? "") ?? -1
                #expect(record.value == Array("value-\(seq)".utf8))
                #expect(record.keyText == "order-\(seq % 3)")
                #expect(record.header("kind") == "test")
                if let known = partitionOfKey[record.keyText!] { #expect(known == record.partition) }
                partitionOfKey[record.keyText!] = record.partition
            }
            // Per key, records arrive in the order they were produced.
            for key in partitionOfKey.keys {
                let sequence = received.filter { $0.keyText == key }.map { Int($0.header("seq")!)! }
                #expect(sequence == sequence.sorted())
            }
        }
    }

    @Test("a group with two consumers splits the partitions and both make progress")
    func twoConsumersSplitPartitions() async throws {
        try await withHarness { h in
            let topic = try await h.topic("group", partitions: 4)
            let first = try h.consumer(group: "split")
            let second = try h.consumer(group: "split")
            try first.subscribe(topics: [topic])
            try second.subscribe(topics: [topic])
            // Let both join before producing, so the work is split rather than taken by the first.
            let joinDeadline = ContinuousClock.now + .seconds(30)
            var early: [KafkaRecord] = []
            while ContinuousClock.now < joinDeadline, first.assignment.isEmpty || second.assignment.isEmpty || first.assignment.count + second.assignment.count != 4 {
                early += try await first.poll(maxMessages: 100, timeout: .milliseconds(100))
                early += try await second.poll(maxMessages: 100, timeout: .milliseconds(100))
            }
            #expect(early.isEmpty)
            #expect(first.assignment.isDisjoint(with: second.assignment))
            #expect(first.assignment.union(second.assignment).count == 4)

            let messages = (0..<200).map { i in KafkaOutgoingMessage(topic: topic, key: Array("k\(i)".utf8), value: Array("\(i)".utf8)) }
            _ = try await h.producer.send(batch: messages)
            var seenByFirst = Set<String>()
            var seenBySecond = Set<String>()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, seenByFirst.count + seenBySecond.count < 200 {
                let a = try await first.poll(maxMessages: 100, timeout: .milliseconds(100))
                try await first.commit(after: a)
                seenByFirst.formUnion(a.map { "\($0.partition):\($0.offset)" })
                let b = try await second.poll(maxMessages: 100, timeout: .milliseconds(100))
                try await second.commit(after: b)
                seenBySecond.formUnion(b.map { "\($0.partition):\($0.offset)" })
            }
            #expect(seenByFirst.count + seenBySecond.count == 200)
            #expect(seenByFirst.isDisjoint(with: seenBySecond))
            #expect(!seenByFirst.isEmpty)
            #expect(!seenBySecond.isEmpty)
            await first.close()
            await second.close()

            let lag = try await h.admin.groupOffsets(group: "test.\(h.id).split", topics: [topic])
            #expect(lag.count == 4)
            #expect(lag.map(\.lag).reduce(0, +) == 0)
            #expect(lag.compactMap(\.committed).reduce(0, +) == 200)
        }
    }

    @Test("creating topics is idempotent and reports partition counts")
    func createTopicsIdempotent() async throws {
        try await withHarness { h in
            let name = "test.\(h.id).idem"
            let created = try await h.admin.createTopics([(name, 5)])
            #expect(created == [name])
            let again = try await h.admin.createTopics([(name, 5)])
            #expect(again.isEmpty)
            #expect(try await h.admin.partitionCounts(topics: [name]) == [name: 5])
        }
    }

    @Test("a group's offsets can be reset while it has no members, and the group then re-reads from there")
    func resetGroupOffsets() async throws {
        try await withHarness { h in
            let topic = try await h.topic("reset", partitions: 2)
            _ = try await h.producer.send(batch: (0..<20).map { KafkaOutgoingMessage(topic: topic, key: Array("k\($0)".utf8), value: Array("\($0)".utf8)) })
            let group = "test.\(h.id).reset"
            let consumer = try h.consumer(group: "reset")
            try consumer.subscribe(topics: [topic])
            var end: [Int32: Int64] = [:]
            var consumed = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, consumed < 20 {
                let records = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200))
                try await consumer.commit(after: records)
                for record in records { end[record.partition] = max(end[record.partition] ?? 0, record.offset + 1) }
                consumed += records.count
            }
            #expect(consumed == 20)
            #expect(try await h.admin.activeMemberCount(group: group) == 1)
            await consumer.close()
            #expect(try await h.admin.activeMemberCount(group: group) == 0)
            let before = try await h.admin.groupOffsets(group: group, topics: [topic])
            #expect(Dictionary(uniqueKeysWithValues: before.map { ($0.topicPartition.partition, $0.committed ?? -1) }) == end)

            // Rewind partition 0 to the start and partition 1 by two records. (Watermarks are not
            // used for the expectation: this broker reports a batch's base offset + 1 as the high
            // watermark until the next produce, see docs/benchmarks.md.)
            let positions = [
                TopicPartitionOffset(topic: topic, partition: 0, offset: 0),
                TopicPartitionOffset(topic: topic, partition: 1, offset: max(0, (end[1] ?? 0) - 2)),
            ]
            try await h.admin.commitGroupOffsets(group: group, positions: positions)
            let after = try await h.admin.groupOffsets(group: group, topics: [topic])
            #expect(Dictionary(uniqueKeysWithValues: after.map { ($0.topicPartition.partition, $0.committed ?? -1) }) == [0: 0, 1: max(0, (end[1] ?? 0) - 2)])

            let expected = Int(end[0] ?? 0) + min(2, Int(end[1] ?? 0))
            let again = try h.consumer(group: "reset")
            try again.subscribe(topics: [topic])
            var reread = 0
            let rereadDeadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < rereadDeadline, reread < expected {
                reread += try await again.poll(maxMessages: 100, timeout: .milliseconds(200)).count
            }
            for _ in 0..<3 { reread += try await again.poll(maxMessages: 100, timeout: .milliseconds(200)).count }
            await again.close()
            #expect(reread == expected)
        }
    }
}
