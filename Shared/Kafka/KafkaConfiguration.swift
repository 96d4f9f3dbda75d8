/// Connection settings shared by producers, consumers and the admin client.
/// Invariant: `properties` holds raw librdkafka properties applied last, so any librdkafka setting
/// (SASL/SCRAM, TLS, tuning) can be passed through without a code change.
public struct KafkaClientConfiguration: Sendable {
    /// Comma-separated `host:port` list (`bootstrap.servers`).
    public var bootstrapServers: String
    public var clientID: String
    /// Pass-through librdkafka properties, e.g. `security.protocol=SASL_SSL`, `sasl.mechanism=SCRAM-SHA-512`.
    public var properties: [String: String]

    public init(bootstrapServers: String = "127.0.0.1:9092", clientID: String = "oms", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    func baseProperties() -> [String: String] {
        ["bootstrap.servers": bootstrapServers, "client.id": clientID, "log_level": "4"]
    }
}

/// Producer settings. Defaults give an idempotent producer (acks=all, ordered retries) that batches
/// for a few milliseconds, which is what the outbox relay wants.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// `enable.idempotence`: no duplicates or reordering from producer retries.
    public var idempotent: Bool = true
    /// `linger.ms`: how long to wait to fill a batch.
    public var lingerMilliseconds: Int = 5
    /// `message.timeout.ms`: how long librdkafka keeps retrying a message before reporting failure.
    public var messageTimeoutMilliseconds: Int = 30_000
    /// `compression.codec`.
    public var compression: String = "none"

    public init(client: KafkaClientConfiguration) { self.client = client }

    func librdkafkaProperties() -> [String: String] {
        var p = client.baseProperties()
        p["enable.idempotence"] = idempotent ? "true" : "false"
        p["acks"] = "all"
        p["linger.ms"] = String(lingerMilliseconds)
        p["message.timeout.ms"] = String(messageTimeoutMilliseconds)
        p["compression.codec"] = compression
        p["batch.num.messages"] = "10000"
        p["queue.buffering.max.messages"] = "200000"
        p.merge(client.properties) { _, new in new }
        return p
    }
}

/// Consumer-group settings. Offsets are never auto-committed or auto-stored: the caller commits
/// explicitly after its database transaction committed.
public struct KafkaConsumerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    public var groupID: String
    /// `session.timeout.ms`. The group join takes about half of this on the local broker, so keep it small in tests.
    public var sessionTimeoutMilliseconds: Int = 10_000
    /// `heartbeat.interval.ms`; must stay below a third of the session timeout.
    public var heartbeatIntervalMilliseconds: Int = 1_000
    /// `max.poll.interval.ms`: the longest a batch may take before the member is considered dead.
    public var maxPollIntervalMilliseconds: Int = 300_000
    /// `auto.offset.reset` for a group with no committed offset: `earliest` so nothing is skipped.
    public var autoOffsetReset: String = "earliest"
    /// `fetch.min.bytes` / `fetch.wait.max.ms`: batch up fetches under load without adding idle latency.
    public var fetchWaitMaxMilliseconds: Int = 100

    public init(client: KafkaClientConfiguration, groupID: String) {
        self.client = client
        self.groupID = groupID
    }

    func librdkafkaProperties() -> [String: String] {
        var p = client.baseProperties()
        p["group.id"] = groupID
        p["enable.auto.commit"] = "false"
        p["enable.auto.offset.store"] = "false"
        p["enable.partition.eof"] = "false"
        p["auto.offset.reset"] = autoOffsetReset
        p["session.timeout.ms"] = String(sessionTimeoutMilliseconds)
        p["heartbeat.interval.ms"] = String(heartbeatIntervalMilliseconds)
        p["max.poll.interval.ms"] = String(maxPollIntervalMilliseconds)
        p["fetch.wait.max.ms"] = String(fetchWaitMaxMilliseconds)
        p["topic.metadata.refresh.interval.ms"] = "5000"
        p.merge(client.properties) { _, new in new }
        return p
    }
}
