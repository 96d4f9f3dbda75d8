import AsyncHTTPClient
import Foundation
import OMSDemo
import IntakeService
import Logging
import NIOCore
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import ServiceLifecycle

// Intake benchmark (issue 3): for each worker count, a fresh schema and topic prefix; (1) the edge
// alone takes N demo web orders at a fixed concurrency (accepts/s, p50/p99 request latency);
// (2) then W intake workers start on the full raw topic and the time until every order is persisted
// gives worker orders/s. Prints one Markdown table row per run.
// Usage: oms-intake-bench [orders=20000] [concurrency=64] [workers=1,2,4]
let arguments = CommandLine.arguments
let orders = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let concurrency = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64
let workerCounts = (arguments.count > 3 ? arguments[3] : "1,2,4").split(separator: ",").compactMap { Int($0) }
let databaseURL = ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:54329/oms"
let brokers = ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092"
let logger: Logger = {
    var logger = Logger(label: "bench.intake")
    logger.logLevel = .error
    return logger
}()

/// Tokens made for this run: the web shop's, the only caller of this benchmark.
let webToken = String((0..<40).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
let apiTokens = "bench-web:channel/web=\(webToken)"

func configuration(prefix: String, schema: String, role: IntakeConfiguration.Role, port: Int) throws -> (ServiceConfiguration, IntakeConfiguration) {
    var service = try ServiceConfiguration(service: .intake, environment: [
        "OMS_DATABASE_URL": databaseURL, "OMS_KAFKA_BROKERS": brokers, "OMS_TOPIC_PREFIX": prefix, "OMS_HTTP_PORT": String(port),
        "OMS_INSTANCE_ID": "bench-\(role.rawValue)-\(UUID().uuidString.prefix(4))", "OMS_DATABASE_POOL_SIZE": "16",
        APICredentials.variable: apiTokens, SecretsRequirement.developmentModeVariable: "true",
    ])
    service.database = try DatabaseConfiguration(url: databaseURL, schema: schema)
    service.database.maximumConnections = 16
    return (service, try IntakeConfiguration(environment: ["OMS_INTAKE_ROLE": role.rawValue]))
}

/// Runs the given applications until `body` returns, then stops them gracefully.
func running<T: Sendable>(_ apps: [any Service], _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: apps, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

let factory = DemoOrderFactory()
var httpConfiguration = HTTPClient.Configuration()
httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
let admin = try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "bench-admin"), logger: logger)
print("| workers | orders | edge accepts/s | edge p50 ms | edge p99 ms | worker orders/s |")
print("|---:|---:|---:|---:|---:|---:|")
for workers in workerCounts {
    let id = String(UUID().uuidString.lowercased().prefix(8))
    let prefix = "b\(id).", schema = "b_\(id)_intake"
    let topics = TopicCatalogue.business + TopicCatalogue.operational.filter { $0.name.hasPrefix("oms.intake.") }
    _ = try await admin.createTopics(topics.map { (prefix + $0.name, $0.partitions) })
    let bodies = try (0..<orders).map { try factory.webOrder(run: id, number: $0).body }
    let port = 18_100 + workers

    // Phase 1: the edge alone.
    let (edgeService, edgeIntake) = try configuration(prefix: prefix, schema: schema, role: .edge, port: port)
    let edgeApp = try buildApplication(service: IntakeService(configuration: edgeIntake, hasher: edgeService.piiHasher), configuration: edgeService, logger: logger)
    let (elapsed, latencies) = try await running([edgeApp]) { () async throws -> (Duration, [Double]) in
        var ready = false
        while !ready {
            ready = (try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(2)).status.code) == 200
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var samples: [Double] = []
                    for index in stride(from: lane, to: bodies.count, by: concurrency) {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/channels/web/orders")
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.headers.add(name: "authorization", value: "Bearer \(webToken)")
                        request.body = .bytes(ByteBuffer(bytes: bodies[index]))
                        let sent = ContinuousClock.now
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        guard response.status.code == 202 else { fatalError("edge answered \(response.status.code)") }
                        samples.append(Double((ContinuousClock.now - sent).components.attoseconds) / 1e15 + Double((ContinuousClock.now - sent).components.seconds) * 1_000)
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        let elapsed = ContinuousClock.now - started
        // Where an edge request spends its time, from the service's own stage histograms.
        let metrics = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await metrics.body.collect(upTo: 1 << 22))
        var sums: [String: Double] = [:], counts: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("oms_intake_edge_stage_seconds_") {
            guard let stage = line.split(separator: "stage=\"").last?.split(separator: "\"").first, let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix("oms_intake_edge_stage_seconds_sum") { sums[String(stage)] = value }
            if line.hasPrefix("oms_intake_edge_stage_seconds_count") { counts[String(stage)] = value }
        }
        FileHandle.standardError.write(Data(("edge stage means: " + sums.keys.sorted().map { "\($0) \(String(format: "%.2f", sums[$0]! / max(counts[$0] ?? 1, 1) * 1_000)) ms" }.joined(separator: ", ") + "\n").utf8))
        return (elapsed, latencies.sorted())
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

    // Phase 2: W workers drain the raw topic.
    let client = try DatabaseConfiguration(url: databaseURL, schema: schema).makeClient(logger: logger)
    let workerApps = try (0..<workers).map { index -> any Service in
        let (service, intake) = try configuration(prefix: prefix, schema: schema, role: .worker, port: port + 100 + index * 10)
        return try buildApplication(service: IntakeService(configuration: intake, hasher: service.piiHasher), configuration: service, logger: logger)
    }
    let drain = try await running([client as any Service] + workerApps) { () async throws -> Double in
        let started = ContinuousClock.now
        var firstSeen: ContinuousClock.Instant?
        while true {
            let rows = try await client.query("SELECT count(*) FROM orders", logger: logger)
            var count = 0
            for try await value in rows.decode(Int.self) { count = value }
            if count > 0, firstSeen == nil { firstSeen = ContinuousClock.now }
            if count >= orders { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Measured from the first persisted order, so group join and rebalancing are not counted.
        let span = ContinuousClock.now - (firstSeen ?? started)
        return Double(orders) / (Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18)
    }
    print("| \(workers) | \(orders) | \(Int(Double(orders) / seconds)) | \(String(format: "%.1f", percentile(latencies, 0.5))) | \(String(format: "%.1f", percentile(latencies, 0.99))) | \(Int(drain)) |")
}
await admin.close()
try await http.shutdown().get()
