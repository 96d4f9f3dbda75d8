import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OMSDomain
import OMSKafka
import OMSPlatform

/// What the service benchmarks share: where the local stack is, a quiet logger, a service
/// configuration on a fresh topic prefix and schema, JSON calls that must succeed, readiness waits
/// and burst publishing. Invariant: a benchmark never reuses another run's topics or schema.
public enum BenchSupport {
    public static let databaseURL = ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:54329/oms"
    public static let brokers = ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092"

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
