import Foundation
import Logging
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO

// Benchmark of the consumer pipeline alone (not a test): events/s through
// poll -> inbox dedup -> handler (one row insert) -> outbox row -> commit -> offset commit -> relay publish,
// for several batch sizes. One pipeline process, one consumer, relay running alongside.
//
//   oms-pipeline-bench [--events-per-batch-size 1:3000,100:50000,1000:100000] [--consumers N]
// Needs OMS_DATABASE_URL and OMS_KAFKA_BROKERS (Deploy/bench/pipeline-bench.sh sets them).

struct BenchEvent: DomainEvent {
    static let eventType = "bench.order-step"
    static let schemaVersion = 1
    var orderID: String
    var sequence: Int
    var amount: Money
    var sku: String
}

/// A handler shaped like a real one: one state row per event and one follow-up event.
struct BenchHandler: EventHandler {
    let eventTypes: Set<String> = [BenchEvent.eventType]
    let outputTopic: String
    /// Whether to use the batched path (one insert per batch) or one insert per event.
    let batched: Bool

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let body = try event.decode(BenchEvent.self)
        try await context.connection.query(
            "INSERT INTO bench_state (order_id, sequence, amount_fen, sku) VALUES (\(body.orderID), \(body.sequence), \(body.amount.minorUnits), \(body.sku))",
            logger: context.logger
        )
        try context.emit(body, orderID: body.orderID, topic: outputTopic, causedBy: event)
    }

    /// The same effect for a run of events with one multi-row insert.
    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        guard batched else {
            for event in events { try await apply(event, context: context) }
            return
        }
        let bodies = try events.map { try $0.decode(BenchEvent.self) }
        try await context.connection.query("""
            INSERT INTO bench_state (order_id, sequence, amount_fen, sku)
            SELECT * FROM unnest(\(bodies.map(\.orderID))::text[], \(bodies.map { Int32($0.sequence) })::int4[],
                                 \(bodies.map(\.amount.minorUnits))::int8[], \(bodies.map(\.sku))::text[])
            """, logger: context.logger)
        for (event, body) in zip(events, bodies) {
            try context.emit(body, orderID: body.orderID, topic: outputTopic, causedBy: event)
        }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let environment = ProcessInfo.processInfo.environment
guard let databaseURL = environment["OMS_DATABASE_URL"], let brokers = environment["OMS_KAFKA_BROKERS"] else {
    FileHandle.standardError.write(Data("set OMS_DATABASE_URL and OMS_KAFKA_BROKERS (see Deploy/bench/pipeline-bench.sh)\n".utf8))
    exit(2)
}
var plan: [(batch: Int, events: Int)] = [(1, 3_000), (100, 50_000), (1_000, 100_000)]
if let index = CommandLine.arguments.firstIndex(of: "--events-per-batch-size"), index + 1 < CommandLine.arguments.count {
    plan = CommandLine.arguments[index + 1].split(separator: ",").compactMap { pair in
        let parts = pair.split(separator: ":").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}

var consumers = 1
if let index = CommandLine.arguments.firstIndex(of: "--consumers"), index + 1 < CommandLine.arguments.count, let value = Int(CommandLine.arguments[index + 1]), value > 0 {
    consumers = value
}

var logger = Logger(label: "bench")
logger.logLevel = environment["OMS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
let runID = String(UUID().uuidString.lowercased().prefix(6))
let kafka = KafkaClientConfiguration(bootstrapServers: brokers, clientID: "bench-\(runID)")
let admin = try KafkaAdmin(client: kafka, logger: logger)
var producerConfiguration = KafkaProducerConfiguration(client: kafka)
producerConfiguration.lingerMilliseconds = 5
let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)

print("librdkafka \(KafkaRuntime.librdkafkaVersion); \(ProcessInfo.processInfo.activeProcessorCount) cores; run \(runID)")
print("")
print("| handler | batch size | events | events/s | batch p50 (ms) | batch p99 (ms) | input produce (events/s) |")
print("|---|---:|---:|---:|---:|---:|---:|")

for (batchSize, count) in plan {
  for batched in [false, true] where !(batched && batchSize == 1) {
    let mode = batched ? "b" : "e"
    let schema = "bench_\(runID)_\(batchSize)\(mode)"
    let input = "bench.\(runID).\(batchSize)\(mode).in"
    let output = "bench.\(runID).\(batchSize)\(mode).out"
    try await admin.createTopics([(input, 6), (output, 6)])
    let client = try DatabaseConfiguration(url: databaseURL, schema: schema).makeClient(logger: logger)
    let metrics = PlatformMetrics(service: .insights)
    let signal = RelaySignal()
    let database = ServiceDatabase(client: client, service: .insights, relaySignal: signal)

    let summary: String = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        _ = try await Migrator.migrate(client: client, schema: schema, migrations: [
            Migration(version: 100, name: "bench_state", sql: "CREATE TABLE bench_state (order_id text NOT NULL, sequence integer NOT NULL, amount_fen bigint NOT NULL, sku text NOT NULL, PRIMARY KEY (order_id, sequence));"),
        ], logger: logger)

        // Load the input topic first (not part of the pipeline figure).
        let events = try (0..<count).map { i -> EventEnvelope in
            let order = "BO-\(i % 5_000)"
            return try EventEnvelope.make(BenchEvent(orderID: order, sequence: i, amount: .fen(Int64(1_000 + i % 90_000)), sku: "SKU-\(i % 300)"), orderID: order, producer: .intake)
        }
        logger.info("producing input", metadata: ["events": "\(count)"])
        let produceStart = ContinuousClock.now
        for chunk in stride(from: 0, to: events.count, by: 10_000) {
            let results = try await producer.send(batch: events[chunk..<min(chunk + 10_000, events.count)].map { $0.kafkaMessage(topic: input) })
            for result in results { _ = try result.get() }
        }
        let produceSeconds = Double((ContinuousClock.now - produceStart).components.attoseconds) / 1e18 + Double((ContinuousClock.now - produceStart).components.seconds)

        logger.info("input produced; starting the pipeline")
        var consumerConfiguration = KafkaConsumerConfiguration(client: kafka, groupID: "bench.\(runID).\(batchSize)\(mode)")
        consumerConfiguration.sessionTimeoutMilliseconds = 6_000
        consumerConfiguration.heartbeatIntervalMilliseconds = 500
        var pipelineConfiguration = ConsumerPipeline.Configuration(groupID: consumerConfiguration.groupID, topics: [input])
        pipelineConfiguration.batchSize = batchSize
        pipelineConfiguration.pollTimeout = .milliseconds(100)
        var members: [(ConsumerPipeline, KafkaConsumer)] = []
        for _ in 0..<consumers {
            let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
            let pipeline = ConsumerPipeline(service: .insights, configuration: pipelineConfiguration, consumer: consumer, database: database,
                                            handlers: [BenchHandler(outputTopic: output, batched: batched)], metrics: metrics, logger: logger)
            try pipeline.subscribe()
            members.append((pipeline, consumer))
        }

        var relayConfiguration = OutboxRelay.Configuration()
        relayConfiguration.batchSize = 2_000
        relayConfiguration.idle = .milliseconds(5)
        let relay = OutboxRelay(database: database, producer: producer, signal: signal, configuration: relayConfiguration, metrics: metrics, logger: logger)
        // The relay is stopped before the pool (as a ServiceGroup would), never cancelled under it.
        let relayStop = RelaySignal()
        let relayDone = StartGate()
        group.addTask {
            while !relayStop.isSignalled {
                if try await relay.publishPending() == 0 { await signal.wait(upTo: .milliseconds(5)) }
            }
            relayDone.open()
        }

        // Every consumer of the group runs its own loop; the clock starts with the first non-empty
        // batch, so the group join is not counted.
        let progress = BenchProgress()
        try await withThrowingTaskGroup(of: Void.self) { workers in
            for (pipeline, _) in members {
                workers.addTask {
                    while await progress.processed < count {
                        let batchStart = ContinuousClock.now
                        let outcome = try await pipeline.processNextBatch()
                        if outcome.polled > 0 {
                            await progress.record(events: outcome.processed + outcome.duplicates, started: batchStart)
                        }
                    }
                }
            }
            try await workers.waitForAll()
        }
        let batchMilliseconds = await progress.batchMilliseconds
        let start = await progress.start
        // The figure includes publishing every resulting outbox row.
        while try await Outbox.pendingCount(on: client, logger: logger) > 0 {
            try await Task.sleep(for: .milliseconds(2))
        }
        let elapsed = Double((ContinuousClock.now - start!).nanosecondsValue) / 1e9
        for (_, consumer) in members { await consumer.close() }
        relayStop.signal()
        await relayDone.wait()
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
        group.cancelAll()
        let sorted = batchMilliseconds.sorted()
        return "| \(batched ? "batched insert" : "insert per event")\(consumers > 1 ? ", \(consumers) consumers" : "") " + String(format: "| %d | %d | %.0f | %.2f | %.2f | %.0f |", batchSize, count, Double(count) / elapsed,
                      percentile(sorted, 0.5), percentile(sorted, 0.99), Double(count) / produceSeconds)
    }
    print(summary)
  }
}
await producer.shutdown()
await admin.close()

extension Duration {
    var nanosecondsValue: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

/// Shared progress of the consumer loops of one benchmark iteration.
actor BenchProgress {
    var processed = 0
    var batchMilliseconds: [Double] = []
    var start: ContinuousClock.Instant?

    func record(events: Int, started: ContinuousClock.Instant) {
        if start == nil { start = started }
        processed += events
        batchMilliseconds.append(Double((ContinuousClock.now - started).nanosecondsValue) / 1e6)
    }
}
