import Foundation
import Logging
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import ServiceLifecycle
import Testing

/// Connection settings for the real PostgreSQL and broker that `Deploy/local/test.sh` starts.
/// Integration tests fail (not skip) without them, so CI cannot pass on an empty run.
enum TestEnvironment {
    static var databaseURL: String? { ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] }
    static var brokers: String? { ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] }

    static func require() throws -> (databaseURL: String, brokers: String) {
        guard let databaseURL, let brokers else {
            throw HarnessError("OMS_DATABASE_URL and OMS_KAFKA_BROKERS are not set: run the tests with Deploy/local/test.sh")
        }
        return (databaseURL, brokers)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The test event: one effect row per processed event.
struct TestEffect: DomainEvent {
    static let eventType = "test.effect"
    static let schemaVersion = 1
    var orderID: String
    var sequence: Int
}

/// Inserts one row per event into `effects` (no unique constraint), so any double processing shows.
struct EffectHandler: EventHandler {
    let eventTypes: Set<String> = [TestEffect.eventType]
    /// Topic to emit a follow-up event on, if any.
    var followUpTopic: String?

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let body = try event.decode(TestEffect.self)
        if body.sequence < 0 { throw HandlerRejection("negative sequence \(body.sequence)") }
        try await context.connection.query(
            "INSERT INTO effects (event_id, order_id, sequence) VALUES (\(event.eventID), \(body.orderID), \(body.sequence))",
            logger: context.logger
        )
        if let followUpTopic {
            try context.emit(TestEffect(orderID: body.orderID, sequence: body.sequence), orderID: body.orderID, topic: followUpTopic, causedBy: event)
        }
    }
}

/// One isolated test world: its own schema, topics and consumer groups on the shared infrastructure.
final class Harness: Sendable {
    let id: String
    let schema: String
    let client: PostgresClient
    let database: ServiceDatabase
    let kafka: KafkaClientConfiguration
    let admin: KafkaAdmin
    let producer: KafkaProducer
    let logger: Logger
    let service: ServiceName = .insights
    let namespace: TopicNamespace
    /// Where this harness's pipelines dead-letter (created with the harness).
    var deadLetterTopic: String { namespace.physical(service.deadLetterTopic) }
    let metrics = PlatformMetrics(service: .insights)

    static let effectsMigration = Migration(version: 100, name: "effects", sql: """
        CREATE TABLE effects (event_id uuid NOT NULL, order_id text NOT NULL, sequence integer NOT NULL, at timestamptz NOT NULL DEFAULT now());
        """)

    init() throws {
        let environment = try TestEnvironment.require()
        id = String(UUID().uuidString.lowercased().prefix(8))
        schema = "t_\(id)"
        var logger = Logger(label: "test.\(id)")
        logger.logLevel = ProcessInfo.processInfo.environment["OMS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        self.logger = logger
        let databaseConfiguration = try DatabaseConfiguration(url: environment.databaseURL, schema: schema)
        client = databaseConfiguration.makeClient(logger: logger)
        // The harness's own topic names, so its dead letters never land in a real service's topic.
        namespace = TopicNamespace(prefix: "test.\(id).")
        database = ServiceDatabase(client: client, service: service, topics: namespace, relaySignal: RelaySignal())
        kafka = KafkaClientConfiguration(bootstrapServers: environment.brokers, clientID: "test-\(id)")
        admin = try KafkaAdmin(client: kafka, logger: logger)
        var producerConfiguration = KafkaProducerConfiguration(client: kafka)
        producerConfiguration.lingerMilliseconds = 1
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
    }

    /// Creates `test.<id>.<name>` with the partition count and returns its name.
    func topic(_ name: String, partitions: Int) async throws -> String {
        let topic = "test.\(id).\(name)"
        try await admin.createTopics([(topic, partitions)])
        return topic
    }

    func migrate(_ extra: [Migration] = [Harness.effectsMigration]) async throws {
        _ = try await Migrator.migrate(client: client, schema: schema, migrations: extra, logger: logger)
    }

    func consumer(group: String) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(client: kafka, groupID: "test.\(id).\(group)")
        configuration.sessionTimeoutMilliseconds = 6_000
        configuration.heartbeatIntervalMilliseconds = 500
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }

    func pipeline(group: String, topics: [String], handlers: [any EventHandler], batchSize: Int = 500, knownEventTypes: Set<String> = [], faults: FaultInjector? = nil) throws -> (ConsumerPipeline, KafkaConsumer) {
        let consumer = try consumer(group: group)
        var configuration = ConsumerPipeline.Configuration(groupID: "test.\(id).\(group)", topics: topics)
        configuration.batchSize = batchSize
        configuration.knownEventTypes = knownEventTypes
        configuration.pollTimeout = .milliseconds(200)
        let pipeline = ConsumerPipeline(service: service, configuration: configuration, consumer: consumer, database: database, handlers: handlers, metrics: metrics, logger: logger, faults: faults)
        try pipeline.subscribe()
        return (pipeline, consumer)
    }

    func relay(faults: FaultInjector? = nil, batchSize: Int = 1_000) -> OutboxRelay {
        var configuration = OutboxRelay.Configuration()
        configuration.batchSize = batchSize
        return OutboxRelay(database: database, producer: producer, signal: RelaySignal(), configuration: configuration, metrics: metrics, logger: logger, faults: faults)
    }

    func effects() async throws -> [(orderID: String, sequence: Int)] {
        var result: [(String, Int)] = []
        let rows = try await client.query("SELECT order_id, sequence FROM effects ORDER BY sequence, order_id", logger: logger)
        for try await (order, sequence) in rows.decode((String, Int).self) { result.append((order, sequence)) }
        return result
    }

    func count(_ sql: String) async throws -> Int {
        try await countRows(client, sql, logger: logger)
    }

    /// Envelopes for `count` test events spread over `orders` order ids.
    func effectEvents(count: Int, orders: Int = 10, startingAt start: Int = 0) throws -> [EventEnvelope] {
        try (start..<(start + count)).map { sequence in
            let order = "O-\(id)-\(sequence % orders)"
            return try EventEnvelope.make(TestEffect(orderID: order, sequence: sequence), orderID: order, producer: .intake)
        }
    }

    func publish(_ envelopes: [EventEnvelope], to topic: String) async throws {
        let results = try await producer.send(batch: envelopes.map { $0.kafkaMessage(topic: topic) })
        for result in results { _ = try result.get() }
    }

    /// Reads every record from `topic` (a fresh group from the earliest offset) until `until` holds
    /// or `timeout` passes.
    func readAll(topic: String, timeout: Duration = .seconds(30), until done: ([KafkaRecord]) -> Bool) async throws -> [KafkaRecord] {
        let consumer = try consumer(group: "reader-\(UUID().uuidString.prefix(6))")
        try consumer.subscribe(topics: [topic])
        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !done(records) {
            records += try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200))
        }
        await consumer.close()
        return records
    }

    func shutdown() async {
        await producer.shutdown()
        await admin.close()
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
    }
}

/// The single integer a counting query returns (test SQL, never user input).
func countRows(_ client: PostgresClient, _ sql: String, logger: Logger) async throws -> Int {
    let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    for try await value in rows.decode(Int.self) { return value }
    return 0
}

/// Runs `body` with a harness whose database pool runs for the duration, then cleans up.
func withHarness<T: Sendable>(_ body: @Sendable (Harness) async throws -> T) async throws -> T {
    let harness = try Harness()
    try await harness.admin.createTopics([(harness.deadLetterTopic, 3)])
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await harness.client.run() }
        do {
            let result = try await body(harness)
            await harness.shutdown()
            group.cancelAll()
            return result
        } catch {
            await harness.shutdown()
            group.cancelAll()
            throw error
        }
    }
}

/// Drives a pipeline until `done` returns true or `timeout` passes; returns the summed outcome.
func drive(_ pipeline: ConsumerPipeline, timeout: Duration = .seconds(30), until done: @Sendable () async throws -> Bool) async throws -> ConsumerPipeline.BatchOutcome {
    var total = ConsumerPipeline.BatchOutcome()
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        let outcome = try await pipeline.processNextBatch()
        total.polled += outcome.polled
        total.processed += outcome.processed
        total.duplicates += outcome.duplicates
        total.ignored += outcome.ignored
        total.deadLettered += outcome.deadLettered
        if try await done() { return total }
    }
    throw HarnessError("pipeline did not reach its goal within \(timeout)")
}
