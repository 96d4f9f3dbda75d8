import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import ServiceLifecycle

/// What the service benchmarks share: where the local stack is, a quiet logger, a service
/// configuration on a fresh topic prefix and schema, JSON calls that must succeed, readiness waits
/// and burst publishing. Invariant: a benchmark never reuses another run's topics or schema.
public enum BenchSupport {
    public static let databaseURL = ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:54329/oms"
    public static let brokers = ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092"

    /// Tokens made for this run: ops (set-up calls) and the web shop (order submission).
    public static let opsToken = freshToken()
    public static let webToken = freshToken()
    /// `OMS_API_TOKENS` for the services a benchmark starts.
    public static var apiTokens: String { "bench-ops:ops=\(opsToken),bench-web:channel/web=\(webToken)" }

    static func freshToken() -> String {
        String((0..<40).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }

    /// A service on topics prefixed `prefix`, in `schema`, batch 100, pool 8, HTTP on `port`.
    public static func configuration(_ service: ServiceName, prefix: String, schema: String, port: Int, extra: [String: String] = [:]) throws -> ServiceConfiguration {
        var environment = [
            "OMS_DATABASE_URL": databaseURL, "OMS_KAFKA_BROKERS": brokers, "OMS_TOPIC_PREFIX": prefix, "OMS_HTTP_PORT": String(port),
            "OMS_INSTANCE_ID": "bench-\(service.rawValue)-\(UUID().uuidString.prefix(4))", "OMS_BATCH_SIZE": "100",
            APICredentials.variable: apiTokens, SecretsRequirement.developmentModeVariable: "true",
        ]
        environment.merge(extra) { _, new in new }
        var configuration = try ServiceConfiguration(service: service, environment: environment)
        configuration.database = try DatabaseConfiguration(url: databaseURL, schema: schema)
        configuration.database.maximumConnections = 8
        return configuration
    }

    /// POSTs (or PUTs) JSON and stops the benchmark if the answer is not 2xx.
    public static func send(_ http: HTTPClient, _ url: String, _ json: String, put: Bool = false) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = put ? .PUT : .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer \(opsToken)")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(Int(response.status.code)) else { fatalError("\(url) answered \(response.status.code): \(body)") }
    }

    public static func waitReady(_ http: HTTPClient, base: String) async throws {
        while (try? await http.execute(HTTPClientRequest(url: "\(base)/health/ready"), timeout: .seconds(2)).status.code) != 200 {
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Publishes the burst (linger 5 ms) and waits for every delivery report.
    public static func publish(_ messages: [KafkaOutgoingMessage], logger: Logger) async throws {
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "bench-producer"))
        configuration.lingerMilliseconds = 5
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        for result in try await producer.send(batch: messages) { _ = try result.get() }
        await producer.shutdown()
    }
}

extension BenchSupport {
    /// One benchmark run of one service: a fresh topic prefix and schema, the service on `port`,
    /// `setUp` over HTTP, the burst from `messages(prefix)` published at once, then `done` polled every
    /// 100 ms, then `report` (given the pool and the instant publishing ended) makes the table row.
    /// The service shuts down gracefully.
    public static func run(_ service: some OMSService, port: Int, extra: [String: String] = [:], http: HTTPClient, logger: Logger,
                           setUp: (String) async throws -> Void = { _ in },
                           messages: (String) throws -> [KafkaOutgoingMessage],
                           done: @escaping (PostgresClient) async throws -> Bool,
                           report: @escaping (PostgresClient, Date) async throws -> String) async throws -> String {
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let prefix = "b\(id).", schema = "b_\(id)_\(service.name.rawValue)"
        let admin = try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "bench-admin"), logger: logger)
        let topics = TopicCatalogue.business + TopicCatalogue.operational.filter { $0.name.hasPrefix("oms.\(service.name.rawValue).") }
        _ = try await admin.createTopics(topics.map { (prefix + $0.name, $0.partitions) })
        await admin.close()
        let client = try DatabaseConfiguration(url: databaseURL, schema: schema).makeClient(logger: logger)
        let app = try buildApplication(service: service, configuration: try configuration(service.name, prefix: prefix, schema: schema, port: port, extra: extra), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [client as any Service, app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks -> String in
            tasks.addTask { try await group.run() }
            let base = "http://127.0.0.1:\(port)"
            try await waitReady(http, base: base)
            try await setUp(base)
            let burst = try messages(prefix)
            let published = Date()
            try await publish(burst, logger: logger)
            let deadline = ContinuousClock.now + .seconds(900)
            while try await !done(client) {
                guard ContinuousClock.now < deadline else { fatalError("the burst was not processed within 15 minutes (dead letters? see the service's DLQ topic)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let row = try await report(client, published)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return row
        }
    }
}
