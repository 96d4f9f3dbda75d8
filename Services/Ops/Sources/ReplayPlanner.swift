import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform

/// Plans and executes consumer-group offset resets for one service (`omsctl replay`).
/// Invariant: `execute` refuses while the group has active members (Kafka would reject the commit
/// or the members would overwrite it), and a time target never starts after the first record at
/// or after the time: on brokers whose time index is batch-granular the broker's answer can be
/// earlier than exact, which only re-delivers events the inbox already skips.
public struct ReplayPlanner: Sendable {
    let admin: KafkaAdmin
    let namespace: TopicNamespace

    /// UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS: the group has live members.
    static let groupIsActiveCodes: Set<Int32> = [25, 22, 27]

    public init(admin: KafkaAdmin, namespace: TopicNamespace) {
        self.admin = admin
        self.namespace = namespace
    }

    /// The plan for `group`, limited to `topics` (logical names; all of the group's when empty)
    /// and `partitions` (all when empty).
    public func plan(group: ConsumerGroup, topics: [String], partitions: Set<Int32>, target: ReplayTarget, now: Date = Date()) async throws -> ReplayPlan {
        let unknown = topics.filter { !group.topics.contains($0) }
        guard unknown.isEmpty else {
            throw OpsFailure("group \(group.name) does not read \(unknown.joined(separator: ", ")); it reads \(group.topics.joined(separator: ", "))")
        }
        let chosen = (topics.isEmpty ? group.topics : topics).map(namespace.physical)
        let groupName = namespace.physical(group.name)
        let offsets = try await admin.groupOffsets(group: groupName, topics: chosen)
            .filter { partitions.isEmpty || partitions.contains($0.topicPartition.partition) }
        var timeOffsets: [TopicPartition: Int64] = [:]
        let instant: Date? = switch target {
        case .datetime(let date): date
        case .duration(let seconds): now.addingTimeInterval(-seconds)
        default: nil
        }
        if let instant {
            for topic in Set(offsets.map(\.topicPartition.topic)) {
                let parts = offsets.filter { $0.topicPartition.topic == topic }.map(\.topicPartition.partition)
                let answer = try await admin.offsetsForTime(topic: topic, partitions: parts, timestampMilliseconds: Int64(instant.timeIntervalSince1970 * 1_000))
                for (partition, offset) in answer { timeOffsets[TopicPartition(topic: topic, partition: partition)] = offset }
            }
        }
        let moves = offsets.sorted { $0.topicPartition < $1.topicPartition }.map { offset in
            ReplayPlan.Move(topic: offset.topicPartition.topic, partition: offset.topicPartition.partition, current: offset.committed,
                            target: target.resolve(current: offset.committed, low: offset.low, high: offset.high, timeOffset: timeOffsets[offset.topicPartition]),
                            low: offset.low, high: offset.high)
        }
        let members = try await admin.activeMemberCount(group: groupName)
        let label = instant.map { "\(target) (from \(ISO8601DateFormatter().string(from: $0)))" } ?? target.description
        return ReplayPlan(group: groupName, target: label, moves: moves, activeMembers: members, executed: false)
    }

    /// Commits the plan's offsets if the group is empty; returns the plan marked executed, or
    /// unchanged (with the member count) when it is not. After `verifyAfter` the committed offsets
    /// are read back: a member the broker did not report (Tansu's group listing can miss live
    /// members) commits over them, and the plan then says so instead of claiming success.
    public func execute(_ plan: ReplayPlan, verifyAfter: Duration = .seconds(2)) async throws -> ReplayPlan {
        var result = plan
        result.activeMembers = try await admin.activeMemberCount(group: plan.group)
        guard result.activeMembers == 0 else { return result }
        do {
            try await admin.commitGroupOffsets(group: plan.group, positions: plan.moves.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.target) })
        } catch let error as KafkaError where Self.groupIsActiveCodes.contains(error.code) {
            // The broker refuses a commit from outside a live group: members it did not list.
            result.activeMembers = max(result.activeMembers, 1)
            return result
        }
        result.executed = true
        try await Task.sleep(for: verifyAfter)
        let topics = Array(Set(plan.moves.map(\.topic)))
        let committed = Dictionary(try await admin.groupOffsets(group: plan.group, topics: topics).map { ($0.topicPartition, $0.committed) }, uniquingKeysWith: { first, _ in first })
        result.overwritten = plan.moves.filter { committed[TopicPartition(topic: $0.topic, partition: $0.partition)] != .some($0.target) }
            .map { "\($0.topic)[\($0.partition)]" }
        return result
    }
}
