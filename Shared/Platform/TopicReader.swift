import Logging
import OMSKafka

/// Reads topics from the beginning with a throw-away consumer group that never commits, until
/// nothing more arrives. Used for the low-volume dead-letter and redrive topics, where watermarks
/// alone cannot say which entries are still open. Invariant: never moves any service's offsets.
public struct TopicReader: Sendable {
    let brokers: String
    let logger: Logger

    public init(brokers: String, logger: Logger) {
        self.brokers = brokers
        self.logger = logger
    }

    public func readAll(_ topics: [String], idle: Duration = .seconds(2), limit: Duration = .seconds(60)) async throws -> [KafkaRecord] {
        var configuration = KafkaConsumerConfiguration(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "omsctl-reader"),
                                                       groupID: "omsctl.reader.\(UInt64.random(in: 0..<UInt64.max))")
        configuration.sessionTimeoutMilliseconds = 6_000
        configuration.autoOffsetReset = "earliest"
        var quiet = logger
        quiet.logLevel = .error  // missing topics (a service never dead-lettered) are expected here
        let consumer = try KafkaConsumer(configuration: configuration, logger: quiet)
        try consumer.subscribe(topics: topics)
        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now + limit
        var quietSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200))
            records += batch
            if consumer.assignment.isEmpty { continue }
            if batch.isEmpty {
                let since = quietSince ?? ContinuousClock.now
                quietSince = since
                if ContinuousClock.now - since >= idle { break }
            } else {
                quietSince = nil
            }
        }
        await consumer.close()
        return records
    }
}
