import CRdKafka
import Logging

/// Administrative operations: topics, consumer-group offsets and lag, offset resets.
/// Every call is blocking in librdkafka and therefore runs on the client's own queue.
/// Invariant: operations are idempotent where Kafka allows it (creating an existing topic succeeds).
public final class KafkaAdmin: Sendable {
    private let handle: KafkaClientHandle
    private let client: KafkaClientConfiguration
    private let logger: Logger

    public init(client: KafkaClientConfiguration, logger: Logger) throws {
        self.client = client
        self.logger = logger
        var properties = client.baseProperties()
        properties.merge(client.properties) { _, new in new }
        self.handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: properties, logger: logger)
    }

    public func close() async {
        let handle = self.handle
        if await !handle.blocking(abandoningAfter: .seconds(15), { handle.destroy() }) {
            logger.error("admin client destroy did not finish in 15 s; abandoned")
        }
    }

    /// Creates the topics that do not exist yet with the given partition counts.
    /// Returns the names that were newly created.
    @discardableResult
    public func createTopics(_ topics: [(name: String, partitions: Int)], replicationFactor: Int = 1, timeout: Duration = .seconds(15)) async throws -> [String] {
        guard !topics.isEmpty else { return [] }
        let handle = self.handle
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await handle.blocking {
            var errorBuffer = [CChar](repeating: 0, count: 512)
            var newTopics: [OpaquePointer?] = []
            defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
            for topic in topics {
                guard let newTopic = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), Int32(replicationFactor), &errorBuffer, errorBuffer.count) else {
                    throw KafkaError(kind: .admin, message: "topic \(topic.name): \(errorText(errorBuffer))")
                }
                newTopics.append(newTopic)
            }
            let queue = rd_kafka_queue_new(handle.pointer)
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errorBuffer, errorBuffer.count)
            rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errorBuffer, errorBuffer.count)
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(handle.pointer, buffer.baseAddress, buffer.count, options, queue)
            }
            guard let event = rd_kafka_queue_poll(queue, timeoutMs + 2_000) else {
                throw KafkaError(kind: .timeout, message: "CreateTopics timed out")
            }
            defer { rd_kafka_event_destroy(event) }
            if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .admin, rdkafka: rd_kafka_event_error(event), context: "CreateTopics")
            }
            guard let result = rd_kafka_event_CreateTopics_result(event) else { return [] }
            var count = 0
            guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return [] }
            var created: [String] = []
            for index in 0..<count {
                let topicResult = results[index]
                let name = String(cString: rd_kafka_topic_result_name(topicResult))
                let error = rd_kafka_topic_result_error(topicResult)
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    created.append(name)
                } else if error != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                    throw KafkaError(kind: .admin, rdkafka: error, context: "create topic \(name)")
                }
            }
            return created
        }
    }

    /// Partition counts of the given topics as the broker reports them (missing topics are absent).
    public func partitionCounts(topics: [String], timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        let handle = self.handle
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let wanted = Set(topics)
        return try await handle.blocking {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let error = rd_kafka_metadata(handle.pointer, 1, nil, &metadata, timeoutMs)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(kind: .admin, rdkafka: error, context: "metadata")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var counts: [String: Int] = [:]
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                let name = String(cString: topic.topic)
                if wanted.contains(name), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    counts[name] = Int(topic.partition_cnt)
                }
            }
            return counts
        }
    }

    /// Low and high watermark (next offset to be written) of one partition.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        let handle = self.handle
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await handle.blocking {
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(handle.pointer, topic, partition, &low, &high, timeoutMs)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .admin, rdkafka: error, context: "watermarks \(topic)[\(partition)]")
            }
            return (low, high)
        }
    }

    /// Committed position of `group` on each partition of `topics` with its lag (high watermark - committed).
    /// A partition without a committed offset reports `committed == nil` and lag from the low watermark.
    public func groupOffsets(group: String, topics: [String], timeout: Duration = .seconds(10)) async throws -> [GroupPartitionOffset] {
        let counts = try await partitionCounts(topics: topics, timeout: timeout)
        var partitions: [(String, Int32, Int64)] = []
        for topic in topics.sorted() {
            for partition in 0..<Int32(counts[topic] ?? 0) {
                partitions.append((topic, partition, Int64(RD_KAFKA_OFFSET_INVALID)))
            }
        }
        guard !partitions.isEmpty else { return [] }
        let wanted = partitions
        let groupHandle = try makeGroupHandle(group: group)
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let committed: [(TopicPartition, Int64, Int32)] = try await groupHandle.blocking {
            defer { groupHandle.destroy() }
            let list = makePartitionList(wanted)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_committed(groupHandle.pointer, list, timeoutMs)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .admin, rdkafka: error, context: "committed offsets of \(group)")
            }
            return readPartitionList(list)
        }
        var result: [GroupPartitionOffset] = []
        for (tp, offset, _) in committed {
            let marks = try await watermarks(topic: tp.topic, partition: tp.partition, timeout: timeout)
            let position = offset >= 0 ? offset : nil
            result.append(GroupPartitionOffset(topicPartition: tp, committed: position, low: marks.low, high: marks.high))
        }
        return result
    }

    /// Overwrites the committed offsets of `group`. Kafka accepts this only while the group has no
    /// active members; callers check that first (see `activeMemberCount`).
    public func commitGroupOffsets(group: String, positions: [TopicPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        guard !positions.isEmpty else { return }
        let groupHandle = try makeGroupHandle(group: group)
        try await groupHandle.blocking {
            defer { groupHandle.destroy() }
            let list = makePartitionList(positions.map { ($0.topic, $0.partition, $0.offset) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_commit(groupHandle.pointer, list, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .admin, rdkafka: error, context: "commit offsets for \(group)")
            }
            for (tp, _, code) in readPartitionList(list) where code != 0 {
                throw KafkaError(kind: .admin, code: code, message: "commit offset for \(group) on \(tp) failed")
            }
        }
    }

    /// Members currently in `group` (0 when the group is empty or unknown).
    public func activeMemberCount(group: String, timeout: Duration = .seconds(10)) async throws -> Int {
        let handle = self.handle
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await handle.blocking {
            var list: UnsafePointer<rd_kafka_group_list>?
            let error = rd_kafka_list_groups(handle.pointer, group, &list, timeoutMs)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
                throw KafkaError(kind: .admin, rdkafka: error, context: "describe group \(group)")
            }
            defer { rd_kafka_group_list_destroy(list) }
            var members = 0
            for index in 0..<Int(list.pointee.group_cnt) where String(cString: list.pointee.groups[index].group) == group {
                members += Int(list.pointee.groups[index].member_cnt)
            }
            return members
        }
    }

    /// The earliest offset per partition whose timestamp is >= `timestampMilliseconds` (the high
    /// watermark when none is). On brokers with a coarse time index this can be earlier than exact.
    public func offsetsForTime(topic: String, partitions: [Int32], timestampMilliseconds: Int64, timeout: Duration = .seconds(10)) async throws -> [Int32: Int64] {
        let handle = self.handle
        let timeoutMs = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await handle.blocking {
            let list = makePartitionList(partitions.map { (topic, $0, timestampMilliseconds) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_offsets_for_times(handle.pointer, list, timeoutMs)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .admin, rdkafka: error, context: "offsets for times")
            }
            var result: [Int32: Int64] = [:]
            for (tp, offset, _) in readPartitionList(list) { result[tp.partition] = offset }
            return result
        }
    }

    private func makeGroupHandle(group: String) throws -> KafkaClientHandle {
        var configuration = KafkaConsumerConfiguration(client: client, groupID: group)
        configuration.client.clientID = client.clientID + "-admin"
        return try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: configuration.librdkafkaProperties(), logger: logger)
    }
}

/// One partition's committed group position and its lag.
public struct GroupPartitionOffset: Sendable, Hashable {
    public var topicPartition: TopicPartition
    public var committed: Int64?
    public var low: Int64
    public var high: Int64

    /// Records not yet processed by the group.
    public var lag: Int64 { max(0, high - (committed ?? low)) }
}
