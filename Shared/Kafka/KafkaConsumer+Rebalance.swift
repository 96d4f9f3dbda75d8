import CRdKafka
import Logging
import NIOConcurrencyHelpers

/// Applies assignments and revocations for one consumer (eager or cooperative protocol) and keeps
/// the current assignment for observers. Called by librdkafka from inside `poll`.
final class RebalanceState: Sendable {
    private let logger: Logger
    private let state = NIOLockedValueBox((assignment: Set<TopicPartition>(), generation: 0))

    init(logger: Logger) { self.logger = logger }

    var assignment: Set<TopicPartition> { state.withLockedValue { $0.assignment } }
    var generation: Int { state.withLockedValue { $0.generation } }

    func handle(client: OpaquePointer, error: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(client)) == "COOPERATIVE"
        let changed = partitions.map { readPartitionList($0).map(\.0) } ?? []
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let e = rd_kafka_incremental_assign(client, partitions) { rd_kafka_error_destroy(e) }
            } else {
                rd_kafka_assign(client, partitions)
            }
            state.withLockedValue { s in
                if !cooperative { s.assignment = [] }
                s.assignment.formUnion(changed)
                s.generation += 1
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(changed.sorted().map(\.description))"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if cooperative {
                if let e = rd_kafka_incremental_unassign(client, partitions) { rd_kafka_error_destroy(e) }
            } else {
                rd_kafka_assign(client, nil)
            }
            state.withLockedValue { s in
                if cooperative { s.assignment.subtract(changed) } else { s.assignment = [] }
            }
            logger.info("partitions revoked", metadata: ["partitions": "\(changed.sorted().map(\.description))"])
        default:
            rd_kafka_assign(client, nil)
            state.withLockedValue { $0.assignment = [] }
            logger.warning("rebalance error", metadata: ["error": "\(String(cString: rd_kafka_err2str(error)))"])
        }
    }
}
