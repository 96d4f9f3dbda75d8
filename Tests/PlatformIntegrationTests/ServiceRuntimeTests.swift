import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import RiskService
import Testing

@Suite("Service runtime: one process with pool, producer, relay, HTTP", .serialized)
struct ServiceRuntimeTests {
    @Test("a service starts, migrates its schema and answers health and metrics")
    func healthAndMetrics() async throws {
        let environment = try TestEnvironment.require()
        // Its own schema and topic names: a test never touches the real risk schema or topics.
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let prefix = "test.\(id)."
        var configuration = try ServiceConfiguration(service: .risk, environment: [
            "OMS_DATABASE_URL": environment.databaseURL, "OMS_KAFKA_BROKERS": environment.brokers, "OMS_HTTP_PORT": "1",
            "OMS_TOPIC_PREFIX": prefix, SecretsRequirement.developmentModeVariable: "true",
        ])
        configuration.database.schema = "t_\(id)_risk"
        configuration.httpPort = 0
        var logger = Logger(label: "test.runtime")
        logger.logLevel = .warning
        let admin = try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: environment.brokers, clientID: "test-\(id)"), logger: logger)
        _ = try await admin.createTopics(TopicCatalogue.all.map { (prefix + $0.name, $0.partitions) })
        await admin.close()
        let app = try buildApplication(service: RiskService(hasher: configuration.piiHasher), configuration: configuration, logger: logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""database":"ok""#))
                #expect(String(buffer: response.body).contains(#""broker":"ok""#))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#"oms_http_request_seconds_count{service="risk",method="GET",route="/health/ready",status="200"} 1"#))
            }
            // A path no access rule covers is refused before routing, token or not.
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("no_access_rule"))
            }
        }
    }

    @Test("a statement running past OMS_DATABASE_STATEMENT_TIMEOUT_MS is cancelled by the server, and the pool goes on")
    func statementTimeout() async throws {
        let environment = try TestEnvironment.require()
        var configuration = try ServiceConfiguration(service: .risk, environment: [
            "OMS_DATABASE_URL": environment.databaseURL, "OMS_DATABASE_STATEMENT_TIMEOUT_MS": "300", SecretsRequirement.developmentModeVariable: "true",
        ])
        #expect(configuration.database.statementTimeoutMilliseconds == 300)
        configuration.database.maximumConnections = 2
        var logger = Logger(label: "test.timeout")
        logger.logLevel = .warning
        let client = configuration.database.makeClient(logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let started = ContinuousClock.now
            var code: String?
            do {
                for try await _ in try await client.query("SELECT pg_sleep(5)", logger: logger) {}
            } catch let error as PSQLError {
                code = error.serverInfo?[.sqlState]
            }
            #expect(code == "57014", "query_canceled by statement_timeout")
            #expect(ContinuousClock.now - started < .seconds(3))
            var one = 0
            for try await value in try await client.query("SELECT 1", logger: logger).decode(Int.self) { one = value }
            #expect(one == 1)
            group.cancelAll()
        }
    }
}
