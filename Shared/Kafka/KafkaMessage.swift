/// One Kafka record header. Values are raw bytes; the OMS only writes UTF-8 text.
public struct KafkaHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    public init(key: String, text: String) {
        self.init(key: key, value: Array(text.utf8))
    }

    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// A message to publish. `key` decides the partition, so all events of one order share one.
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    public var key: [UInt8]
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Message timestamp in milliseconds since the epoch; nil lets the client stamp it.
    public var timestampMilliseconds: Int64?

    public init(topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A record as consumed, with the coordinates needed to commit it or dead-letter it.
public struct KafkaRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Broker or producer timestamp in milliseconds since the epoch, if the record has one.
    public var timestampMilliseconds: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], timestampMilliseconds: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public func header(_ key: String) -> String? {
        headers.last { $0.key == key }?.text
    }

    public var keyText: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}

/// Where a message landed once the broker acknowledged it.
public struct KafkaDeliveryReport: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A (topic, partition) pair.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition: the offset of the *next* record to read, as Kafka commits it.
public struct TopicPartitionOffset: Sendable, Hashable {
    public var topicPartition: TopicPartition
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topicPartition = TopicPartition(topic: topic, partition: partition)
        self.offset = offset
    }

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }
}
