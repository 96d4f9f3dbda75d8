import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeService
import Logging
import NIOCore
import NIOHTTP1
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO
import RiskService
import ServiceLifecycle
import Testing

/// An isolated intake deployment on the shared test infrastructure: its own schema and its own
/// topic prefix (so its consumer groups and topics see only its traffic), with any number of
/// edge and worker processes run in-process through the same `buildApplication` as `main`.
final class IntakeWorld: Sendable {
    let id: String
    let prefix: String
    let schema: String
    let environment: (databaseURL: String, brokers: String)
    let logger: Logger
    let client: PostgresClient
    let admin: KafkaAdmin

    init() throws {
        environment = try TestEnvironment.require()
        id = String(UUID().uuidString.lowercased().prefix(8))
        prefix = "t\(id)."
        schema = "t_\(id)_intake"
        var logger = Logger(label: "test.intake.\(id)")
        logger.logLevel = ProcessInfo.processInfo.environment["OMS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        self.logger = logger
        client = try DatabaseConfiguration(url: environment.databaseURL, schema: schema).makeClient(logger: logger)
        admin = try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: environment.brokers, clientID: "test-\(id)-admin"), logger: logger)
    }

    func topic(_ logical: String) -> String { prefix + logical }

    func createTopics() async throws {
        _ = try await admin.createTopics(TopicCatalogue.all.map { (topic($0.name), $0.partitions) })
    }

    func configuration(role: IntakeConfiguration.Role, batchSize: Int = 500, intake extra: [String: String] = [:]) throws -> (ServiceConfiguration, IntakeConfiguration) {
        var service = try ServiceConfiguration(service: .intake, environment: [
            "OMS_DATABASE_URL": environment.databaseURL, "OMS_KAFKA_BROKERS": environment.brokers, "OMS_TOPIC_PREFIX": prefix,
            "OMS_KAFKA_SESSION_TIMEOUT_MS": "6000", "OMS_BATCH_SIZE": String(batchSize), "OMS_RELAY_IDLE_MS": "5",
            "OMS_INSTANCE_ID": "\(id)-\(role.rawValue)-\(UUID().uuidString.prefix(4))",
            APICredentials.variable: TestCredentials.environmentValue, SecretsRequirement.developmentModeVariable: "true",
            PIIVault.variable: Self.intakeKeyRing,
        ])
        service.database = try DatabaseConfiguration(url: environment.databaseURL, schema: schema)
        service.database.maximumConnections = 16
        service.httpPort = 0
        return (service, try IntakeConfiguration(environment: extra.merging(["OMS_INTAKE_ROLE": role.rawValue]) { _, role in role }))
    }

    /// Intake's own key ring in these tests (key id `t1`), unlike the process environment's: stored
    /// rows show which ring sealed them.
    static let intakeKeyRing = "t1:" + Data(repeating: 7, count: 32).base64EncodedString()

    func application(role: IntakeConfiguration.Role, intake extra: [String: String] = [:]) throws -> some ApplicationProtocol {
        let (service, intake) = try configuration(role: role, intake: extra)
        return try buildApplication(service: IntakeService(configuration: intake, hasher: service.piiHasher), configuration: service, logger: logger)
    }

    /// An all-in-one intake process on a port of its own (built as `main` builds it) with the edge
    /// client that reaches it, for tests that run it with other services in `running`.
    func liveIntake(intake extra: [String: String] = [:]) throws -> (app: some ApplicationProtocol, edge: EdgeClient) {
        var (service, intake) = try configuration(role: .all, intake: extra)
        service.httpPort = TestPorts.block()
        let app = try buildApplication(service: IntakeService(configuration: intake, hasher: service.piiHasher), configuration: service, logger: logger)
        return (app, EdgeClient(base: "http://127.0.0.1:\(service.httpPort)", http: HTTPClient.shared))
    }

    /// Intake (edge, workers, status projection) in the background on a random port and risk on
    /// the testing framework's live server, for tests that act on held orders over HTTP; `body`
    /// gets an edge client for each once intake is ready. Both stop gracefully afterwards.
    func withIntakeAndRisk(_ body: @Sendable (_ intake: EdgeClient, _ risk: EdgeClient) async throws -> Void) async throws {
        var (intakeService, intakeConfig) = try configuration(role: .all)
        intakeService.httpPort = TestPorts.block()
        let intake = try buildApplication(service: IntakeService(configuration: intakeConfig, hasher: intakeService.piiHasher), configuration: intakeService, logger: logger)
        let intakeEdge = EdgeClient(base: "http://127.0.0.1:\(intakeService.httpPort)", http: HTTPClient.shared)
        let riskApp = try riskApplication()
        try await running([intake], readyAt: [intakeEdge]) {
            try await riskApp.test(.live) { client in
                try await body(intakeEdge, EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared))
            }
        }
    }

    /// Runs `workers` worker processes in the background for the duration of `body`, then stops
    /// them gracefully.
    func withWorkers<T: Sendable>(_ workers: Int, _ body: @Sendable () async throws -> T) async throws -> T {
        try await running(try (0..<workers).map { _ in try application(role: .worker) }, body)
    }

    /// A service process on this world's topics, in `schema`, with the given batch size, pool and port.
    func serviceApplication(_ service: some OMSService, schema: String, batchSize: Int = 500, poolSize: Int? = nil, port: Int? = nil) throws -> some ApplicationProtocol {
        var (configuration, _) = try configuration(role: .worker, batchSize: batchSize)
        configuration.service = service.name
        configuration.database = try DatabaseConfiguration(url: environment.databaseURL, schema: schema)
        if let poolSize { configuration.database.maximumConnections = poolSize }
        if let port { configuration.httpPort = port }
        return try buildApplication(service: service, configuration: configuration, logger: logger)
    }

    /// Runs `apps` in one service group for the duration of `body`, after every client in `ready`
    /// answers `/health/ready`. Shutdown is graceful on every path, never a cancellation (cancelling
    /// a running pool mid-lease hangs).
    func running<T: Sendable>(_ apps: [any Service], readyAt ready: [EdgeClient] = [], _ body: @Sendable () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: apps, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                for client in ready {
                    // The last answer (or error) says which check failed when it never does.
                    let last = NIOLockedValueBox("no answer yet")
                    guard try await eventually(timeout: .seconds(30), {
                        do {
                            let reply = try await client.send(.GET, "/health/ready")
                            last.withLockedValue { $0 = "HTTP \(reply.status) \(reply.text.prefix(200))" }
                            return reply.status == 200
                        } catch {
                            last.withLockedValue { $0 = "\(error)".prefix(200).description }
                            return false
                        }
                    }) else {
                        throw InventoryFixtures.Failure("\(client.base) never became ready; last answer: \(last.withLockedValue { $0 })")
                    }
                }
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    var riskSchema: String { "t_\(id)_risk" }

    /// A risk service process on this world's topics and its own schema.
    func riskApplication(port: Int? = nil) throws -> some ApplicationProtocol {
        try serviceApplication(RiskService(hasher: PIIHasher(secret: "test")), schema: riskSchema, port: port)
    }

    /// Every event on `oms.orders` of this world, read from the start until `done` holds.
    func orderEvents(timeout: Duration = .seconds(60), until done: ([EventEnvelope]) -> Bool) async throws -> [EventEnvelope] {
        try await events(on: TopicCatalogue.orders, timeout: timeout, until: done)
    }

    /// Every event on a (logical) topic of this world, read from the start until `done` holds.
    func events(on logicalTopic: String, timeout: Duration = .seconds(60), until done: ([EventEnvelope]) -> Bool) async throws -> [EventEnvelope] {
        var configuration = KafkaConsumerConfiguration(client: KafkaClientConfiguration(bootstrapServers: environment.brokers, clientID: "test-\(id)-reader"),
                                                       groupID: "\(prefix)reader-\(UUID().uuidString.prefix(6))")
        configuration.sessionTimeoutMilliseconds = 6_000
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: [topic(logicalTopic)])
        var events: [EventEnvelope] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !done(events) {
            for record in try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200)) {
                events.append(try EventEnvelope(record: record))
            }
        }
        await consumer.close()
        return events
    }

    /// Events the service owning `schema` committed about `key` (of `type` when given): its outbox
    /// rows, kept for a minute after they are sent. What the service decided, whatever the relay or
    /// the broker delivered; a test reads this once a later signal proves the work was done. (The
    /// topic's own end cannot be asked for here: the local broker's ListOffsets answers per record
    /// batch, so high watermarks undercount.)
    func committedEvents(schema: String, key: String, type: String? = nil) async throws -> Int {
        try await count("""
            SELECT count(*) FROM \(schema).outbox WHERE message_key = convert_to('\(key)', 'UTF8')
            \(type.map { "AND strpos(headers, '\($0)') > 0" } ?? "")
            """)
    }

    func publish(_ envelopes: [(EventEnvelope, String)]) async throws {
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: environment.brokers, clientID: "test-\(id)-producer"))
        configuration.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let results = try await producer.send(batch: envelopes.map { $0.0.kafkaMessage(topic: topic($0.1)) })
        for result in results { _ = try result.get() }
        await producer.shutdown()
    }

    func count(_ sql: String) async throws -> Int {
        try await countRows(client, sql, logger: logger)
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    func shutdown() async {
        await admin.close()
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(riskSchema) CASCADE"), logger: logger)
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(inventorySchema) CASCADE"), logger: logger)
        _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS t_\(id)_integrations CASCADE"), logger: logger)
    }
}

/// Runs `body` with a fresh world whose pool runs meanwhile; drops the schema afterwards.
func withIntakeWorld<T: Sendable>(_ body: @Sendable (IntakeWorld) async throws -> T) async throws -> T {
    let world = try IntakeWorld()
    try await world.createTopics()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await world.client.run() }
        defer { group.cancelAll() }
        do {
            let result = try await body(world)
            await world.shutdown()
            return result
        } catch {
            await world.shutdown()
            throw error
        }
    }
}

/// A small HTTP client for the edge: AsyncHTTPClient, so many requests can be in flight at once.
struct EdgeClient: Sendable {
    /// Up to 64 connections (the shared client allows 8 per host).
    static let wide: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    let base: String
    let http: HTTPClient

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends the request with the token of a principal the services' access rules allow for it
    /// (the one named by an `X-User-Id` header if that one may), unless `headers` carries its own
    /// `Authorization` (tests of the access rules do); `anonymous` sends none.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:], anonymous: Bool = false) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        if !anonymous, !headers.keys.contains(where: { $0.lowercased() == "authorization" }),
           let token = TestCredentials.token(method: HTTPRequest.Method(rawValue: method.rawValue) ?? .get, path: path, preferred: headers["X-User-Id"]) {
            request.headers.add(name: "authorization", value: "Bearer \(token)")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 4 << 20)
        var replyHeaders: [String: String] = [:]
        for header in response.headers { replyHeaders[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: replyHeaders, body: Array(buffer: collected))
    }
}
