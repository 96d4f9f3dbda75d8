import CRdKafka
import Logging
import NIOConcurrencyHelpers

/// A consumer-group member. Offsets are never committed automatically: the caller commits exactly
/// the offsets it has made durable (see `commit(_:)`). All blocking librdkafka calls run on the
/// consumer's own queue. Rebalances are served inside `poll`, i.e. between the caller's batches,
/// so a revoked partition never has a half-processed batch.
/// Invariant: `close()` leaves the group cleanly and destroys the client exactly once.
public final class KafkaConsumer: Sendable {
    private let handle: KafkaClientHandle
    private let rebalance: RebalanceState
    private let closed = NIOLockedValueBox(false)
    private let logger: Logger
    /// How long `close()` waits for librdkafka to leave the group: its own bound (about the session
    /// timeout) plus slack. A broker that never completes the leave must not hang a shutdown.
    private let closeLimit: Duration
    public let groupID: String
    /// When `subscribe` ran, until the first assignment (even an empty one) arrived; nil otherwise.
    private let awaitingAssignmentSince = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    /// How long after subscribing a member that got no assignment at all (not even an empty one,
    /// which a member beyond the partition count gets) reports the group as stuck.
    public static let unassignedReportAfter: Duration = .seconds(30)
    /// The text a stuck group is reported with: `Deploy/local/run-suites.py` looks for it to tell
    /// the local broker's known fault from a defect.
    public static let groupNeverAssignedSignature = "consumer group never assigned this member"

    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        let rebalance = RebalanceState(logger: logger)
        self.rebalance = rebalance
        self.groupID = configuration.groupID
        self.logger = logger
        self.closeLimit = .milliseconds(configuration.sessionTimeoutMilliseconds + 5_000)
        let opaque = Unmanaged.passUnretained(rebalance).toOpaque()
        self.handle = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: configuration.librdkafkaProperties(), logger: logger) { conf in
            rd_kafka_conf_set_opaque(conf, opaque)
            rd_kafka_conf_set_rebalance_cb(conf) { rk, error, partitions, opaque in
                guard let rk, let opaque else { return }
                Unmanaged<RebalanceState>.fromOpaque(opaque).takeUnretainedValue().handle(client: rk, error: error, partitions: partitions)
            }
        }
        // Route the main queue (logs, errors, rebalances) to the consumer queue served by poll.
        rd_kafka_poll_set_consumer(handle.pointer)
    }

    var rawHandle: OpaquePointer { handle.pointer }

    /// Subscribes to the topics; assignment arrives through `poll`.
    public func subscribe(topics: [String]) throws {
        let list = makePartitionList(topics.map { ($0, RD_KAFKA_PARTITION_UA, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_subscribe(handle.pointer, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(kind: .consumer, rdkafka: error, context: "subscribe \(topics)")
        }
        if rebalance.generation == 0 { awaitingAssignmentSince.withLockedValue { $0 = $0 ?? .now } }
    }

    /// Logs once when the group has not assigned this member anything, not even an empty set,
    /// `unassignedReportAfter` after subscribing: a coordinator that never completes the join.
    private func reportIfNeverAssigned() {
        let since = awaitingAssignmentSince.withLockedValue { since -> ContinuousClock.Instant? in
            guard let started = since else { return nil }
            if rebalance.generation > 0 { since = nil; return nil }
            guard ContinuousClock.now - started > Self.unassignedReportAfter else { return nil }
            since = nil
            return started
        }
        guard let since else { return }
        logger.error("\(Self.groupNeverAssignedSignature) (stuck coordinator?)", metadata: [
            "group": "\(groupID)", "waited_s": "\((ContinuousClock.now - since).components.seconds)",
        ])
    }

    /// The partitions currently assigned to this member.
    public var assignment: Set<TopicPartition> { rebalance.assignment }

    /// How many assignments (including empty ones) this member has gone through.
    public var rebalanceCount: Int { rebalance.generation }

    /// Polls up to `maxMessages` records, waiting at most `timeout` for the first one.
    /// Returns early with what it has once the queue is momentarily empty.
    public func poll(maxMessages: Int, timeout: Duration) async throws -> [KafkaRecord] {
        let handle = self.handle
        let timeoutMilliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if closed.withLockedValue({ $0 }) { throw KafkaError(kind: .closed, message: "consumer closed") }
        reportIfNeverAssigned()
        return try await handle.blocking {
            var records: [KafkaRecord] = []
            records.reserveCapacity(min(maxMessages, 1024))
            var wait = timeoutMilliseconds
            while records.count < maxMessages {
                guard let message = rd_kafka_consumer_poll(handle.pointer, wait) else { break }
                defer { rd_kafka_message_destroy(message) }
                wait = 0
                let error = message.pointee.err
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    if error != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                        handle.logger.warning("consumer error", metadata: ["error": "\(String(cString: rd_kafka_err2str(error)))"])
                    }
                    continue
                }
                records.append(Self.record(from: message))
            }
            return records
        }
    }

    private static func record(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaRecord(
            topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
            headers: readHeaders(message),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    /// Synchronously commits the given positions (offset of the next record to read) for this group.
    public func commit(_ positions: [TopicPartitionOffset]) async throws {
        guard !positions.isEmpty else { return }
        let handle = self.handle
        let list = makePartitionList(positions.map { ($0.topic, $0.partition, $0.offset) })
        let pointer = PartitionListPointer(list)
        try await handle.blocking {
            defer { rd_kafka_topic_partition_list_destroy(pointer.list) }
            let error = rd_kafka_commit(handle.pointer, pointer.list, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET {
                throw KafkaError(kind: .consumer, rdkafka: error, context: "commit")
            }
        }
    }

    /// Commits the position after the last record of each partition in `records`.
    public func commit(after records: [KafkaRecord]) async throws {
        try await commit(Self.positions(after: records))
    }

    /// The offsets to commit after `records`: per partition, the highest offset + 1.
    public static func positions(after records: [KafkaRecord]) -> [TopicPartitionOffset] {
        var next: [TopicPartition: Int64] = [:]
        for record in records {
            let tp = TopicPartition(topic: record.topic, partition: record.partition)
            next[tp] = max(next[tp] ?? 0, record.offset + 1)
        }
        return next.sorted { $0.key < $1.key }.map { TopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
    }

    /// Moves the fetch position of assigned partitions (e.g. back to the start of a failed batch).
    public func seek(_ positions: [TopicPartitionOffset]) async throws {
        guard !positions.isEmpty else { return }
        let handle = self.handle
        let assigned = rebalance.assignment
        let wanted = positions.filter { assigned.contains($0.topicPartition) }
        guard !wanted.isEmpty else { return }
        let pointer = PartitionListPointer(makePartitionList(wanted.map { ($0.topic, $0.partition, $0.offset) }))
        try await handle.blocking {
            defer { rd_kafka_topic_partition_list_destroy(pointer.list) }
            if let error = rd_kafka_seek_partitions(handle.pointer, pointer.list, 5_000) {
                let description = String(cString: rd_kafka_error_string(error))
                rd_kafka_error_destroy(error)
                throw KafkaError(kind: .consumer, message: "seek: \(description)")
            }
            // A partition that could not be positioned reports its error in the list, not above.
            let list = pointer.list.pointee
            for index in 0..<Int(list.cnt) where list.elems[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let element = list.elems[index]
                throw KafkaError(kind: .consumer, rdkafka: element.err, context: "seek \(String(cString: element.topic))[\(element.partition)]")
            }
        }
    }

    /// Stops fetching from the given partitions until `resume`.
    public func pause(_ partitions: [TopicPartition]) throws {
        try pauseOrResume(partitions, pause: true)
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        try pauseOrResume(partitions, pause: false)
    }

    private func pauseOrResume(_ partitions: [TopicPartition], pause: Bool) throws {
        guard !partitions.isEmpty else { return }
        let list = makePartitionList(partitions.map { ($0.topic, $0.partition, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = pause ? rd_kafka_pause_partitions(handle.pointer, list) : rd_kafka_resume_partitions(handle.pointer, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(kind: .consumer, rdkafka: error, context: pause ? "pause" : "resume")
        }
    }

    /// Leaves the group (revoking partitions) and destroys the client. Uncommitted work is simply
    /// redelivered to the next owner. Safe to call more than once.
    public func close() async {
        let wasClosed = closed.withLockedValue { value -> Bool in
            defer { value = true }
            return value
        }
        if wasClosed { return }
        let (handle, rebalance) = (self.handle, self.rebalance)
        let closedInTime = await handle.blocking(abandoningAfter: closeLimit) {
            // The rebalance callback (given `rebalance` unretained) may still run inside a close
            // that outlives this consumer; keep it alive until librdkafka is done.
            withExtendedLifetime(rebalance) {
                rd_kafka_consumer_close(handle.pointer)
                handle.destroy()
            }
        }
        if !closedInTime {
            logger.error("consumer close did not finish; abandoned (the broker never completed the group leave)",
                         metadata: ["limit": "\(closeLimit)"])
        }
    }
}

/// Lets a partition list cross into the blocking queue's closure.
struct PartitionListPointer: @unchecked Sendable {
    let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    init(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) { self.list = list }
}

/// Builds a librdkafka partition list; the caller destroys it.
func makePartitionList(_ entries: [(String, Int32, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
    for (topic, partition, offset) in entries {
        let element = rd_kafka_topic_partition_list_add(list, topic, partition)!
        element.pointee.offset = offset
    }
    return list
}

/// Reads a librdkafka partition list into Swift values.
func readPartitionList(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, Int64, Int32)] {
    var result: [(TopicPartition, Int64, Int32)] = []
    let count = Int(list.pointee.cnt)
    for index in 0..<count {
        let element = list.pointee.elems[index]
        result.append((TopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset, element.err.rawValue))
    }
    return result
}
