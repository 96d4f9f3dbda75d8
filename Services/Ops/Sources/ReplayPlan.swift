import Foundation

/// What `omsctl replay` will do (or did) to one consumer group: per partition the committed
/// offset, the new one and how many messages that re-delivers. Invariant: nothing is changed
/// until the plan is executed, and only while the group has no active members.
public struct ReplayPlan: Sendable, Codable {
    public struct Move: Sendable, Codable, Hashable {
        public var topic: String
        public var partition: Int32
        /// Committed offset; nil when the group never committed on the partition.
        public var current: Int64?
        public var target: Int64
        public var low: Int64
        public var high: Int64

        /// Messages the group will read again (negative: skipped forward).
        public var reprocess: Int64 { (current ?? low) - target }
    }

    public var group: String
    public var target: String
    public var moves: [Move]
    public var activeMembers: Int
    public var executed: Bool
    /// Partitions whose committed offset was no longer the plan's shortly after executing: a live
    /// consumer the broker did not report moved it.
    public var overwritten: [String] = []

    public var totalReprocess: Int64 { moves.reduce(0) { $0 + max(0, $1.reprocess) } }

    /// The plan as a table, with what to do next.
    public func table() -> String {
        var lines = ["group \(group)  \(target)", "TOPIC                          PARTITION   CURRENT        NEW    REPROCESS"]
        for move in moves {
            let current = move.current.map(String.init) ?? "-"
            lines.append("\(move.topic.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(move.partition).leftPadded(9)) \(current.leftPadded(9)) \(String(move.target).leftPadded(10)) \(String(move.reprocess).leftPadded(12))")
        }
        lines.append("messages to reprocess: \(totalReprocess)")
        if executed && !overwritten.isEmpty {
            lines.append("OVERWRITTEN: a running consumer committed over \(overwritten.joined(separator: ", ")); the service is still running although the broker reported no members. Stop every process of it and run again with --execute.")
        } else if executed {
            lines.append("EXECUTED: offsets committed; start the service and it re-reads from the new offsets (events it already applied are skipped by its inbox).")
        } else if activeMembers > 0 {
            lines.append("NOT EXECUTED: the group has \(activeMembers) active member(s); stop every process of this service first (e.g. `docker compose stop <service>` or scale its Deployment to 0), then run again with --execute.")
        } else {
            lines.append("DRY RUN: nothing changed; add --execute to commit these offsets.")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
