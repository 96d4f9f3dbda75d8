import CRdKafka

/// The one error type of the Kafka wrapper. `code` is librdkafka's `rd_kafka_resp_err_t` value when
/// librdkafka produced the error, or a wrapper-level code otherwise; `message` never carries payload data.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, at a level a caller can branch on.
    public enum Kind: String, Sendable {
        /// A configuration property was rejected by librdkafka.
        case configuration
        /// The client could not be created.
        case clientCreation
        /// A message could not be enqueued or was not acknowledged by the broker.
        case delivery
        /// A consumer operation (subscribe, poll, commit, seek, pause) failed.
        case consumer
        /// An admin operation (create topics, offsets, metadata) failed.
        case admin
        /// The operation timed out.
        case timeout
        /// The client was already shut down.
        case closed
    }

    public var kind: Kind
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), 0 when not applicable.
    public var code: Int32
    public var message: String

    public init(kind: Kind, code: Int32 = 0, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    init(kind: Kind, rdkafka error: rd_kafka_resp_err_t, context: String) {
        self.kind = kind
        self.code = error.rawValue
        self.message = "\(context): \(String(cString: rd_kafka_err2str(error)))"
    }

    /// True for errors librdkafka considers retriable (broker unavailable, timeouts, queue full).
    public var isTransient: Bool {
        if kind == .timeout { return true }
        let transient: [rd_kafka_resp_err_t] = [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        ]
        return transient.contains { $0.rawValue == code }
    }

    /// Wrapper-level code of a message `send(batch:)` did not enqueue because an earlier one was refused.
    public static let notEnqueuedCode: Int32 = -10_001

    /// True for errors no retry can cure for this message: the topic does not exist or is not
    /// allowed, or the message is larger than the client or the broker accepts. A relay sets such a
    /// message aside instead of retrying it forever.
    public var isPermanentForMessage: Bool {
        guard kind == .delivery else { return false }
        let permanent: [rd_kafka_resp_err_t] = [
            RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE,
            RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
            RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        ]
        return permanent.contains { $0.rawValue == code }
    }

    public var description: String { "KafkaError(\(kind.rawValue), code \(code)): \(message)" }
}
