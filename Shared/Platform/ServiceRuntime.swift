import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSKafka
import PostgresNIO
import ServiceLifecycle

/// The shared parts of one service process, handed to the service's pipelines and routes.
/// Invariant: one PostgreSQL pool, one producer and one outbox relay per process.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let database: ServiceDatabase
    public let producer: KafkaProducer
    public let admin: KafkaAdmin
    public let metrics: PlatformMetrics
    public let logger: Logger
    public let startGate: StartGate
    public let relay: OutboxRelay
    public let faults: FaultInjector?
}

/// Builds the whole service process: database pool, producer, relay, consumers and HTTP server,
/// in one ServiceGroup (started in that order, shut down in reverse on SIGTERM/SIGINT).
/// `main` and the tests both call this.
public func buildApplication(service: some OMSService, configuration: ServiceConfiguration, logger: Logger, faults: FaultInjector? = nil) throws -> some ApplicationProtocol {
    var faults = faults
    if faults == nil, let crash = configuration.crashAt {
        logger.warning("fault drill: this process kills itself at a runtime point", metadata: ["point": "\(crash.point.rawValue)", "probability": "\(crash.probability)"])
        faults = FaultInjector.crash(at: crash.point, probability: crash.probability)
    }
    let metrics = PlatformMetrics(service: service.name)
    let client = configuration.database.makeClient(logger: logger)
    let signal = RelaySignal()
    let database = ServiceDatabase(client: client, service: service.name, schema: configuration.database.schema, topics: configuration.topics, vault: configuration.piiVault, relaySignal: signal)
    var producerConfiguration = KafkaProducerConfiguration(client: configuration.kafka)
    producerConfiguration.client.clientID += "-producer"
    let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
    let admin = try KafkaAdmin(client: configuration.kafka, logger: logger)
    let gate = StartGate()
    var relayConfiguration = OutboxRelay.Configuration()
    relayConfiguration.batchSize = configuration.relayBatchSize
    relayConfiguration.idle = .milliseconds(configuration.relayIdleMilliseconds)
    let relay = OutboxRelay(database: database, producer: producer, signal: signal, configuration: relayConfiguration, metrics: metrics, logger: logger, faults: faults, startGate: gate)
    let runtime = ServiceRuntime(configuration: configuration, database: database, producer: producer, admin: admin, metrics: metrics, logger: logger, startGate: gate, relay: relay, faults: faults)

    var pipelines: [ConsumerPipeline] = []
    for spec in service.pipelines(runtime: runtime) {
      guard type(of: service).consumerGroups.contains(where: { $0.admits(spec) }) else {
          throw ServiceDefinitionError.undeclaredConsumerGroup(spec.groupSuffix)
      }
      for member in 0..<configuration.consumersPerGroup {
        var consumerConfiguration = KafkaConsumerConfiguration(client: configuration.kafka, groupID: configuration.topics.physical("oms.\(service.name.rawValue).\(spec.groupSuffix)"))
        consumerConfiguration.sessionTimeoutMilliseconds = configuration.sessionTimeoutMilliseconds
        consumerConfiguration.heartbeatIntervalMilliseconds = max(100, configuration.sessionTimeoutMilliseconds / 5)
        consumerConfiguration.client.clientID += "-\(spec.groupSuffix)-\(member)"
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        var pipelineConfiguration = ConsumerPipeline.Configuration(groupID: consumerConfiguration.groupID, topics: (spec.topics + [service.name.redriveTopic]).map(configuration.topics.physical))
        pipelineConfiguration.batchSize = configuration.batchSize
        pipelineConfiguration.maxAttempts = configuration.maxHandlerAttempts
        pipelineConfiguration.knownEventTypes = Set(spec.topics.flatMap { TopicCatalogue.spec(named: $0)?.eventTypes ?? [] })
        pipelines.append(ConsumerPipeline(service: service.name, configuration: pipelineConfiguration, consumer: consumer, database: database, handlers: spec.handlers, metrics: metrics, logger: logger, faults: faults, startGate: gate))
      }
    }

    let router = Router(context: OMSRequestContext.self)
    router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
    let audit = AccessAudit(client: client, logger: logger)
    if configuration.apiCredentials.isEmpty {
        logger.warning("no API tokens configured (\(APICredentials.variable)): every route but health, metrics and signed webhooks answers 401")
    }
    if !configuration.piiKeysConfigured {
        logger.warning("no PII key ring configured (\(PIIVault.variable)): personal data is sealed with the public development key")
    }
    let serviceType = type(of: service)
    let routes = serviceType.allRoutes
    router.middlewares.add(AccessControlMiddleware(policy: AccessPolicy(routes: routes), credentials: configuration.apiCredentials, audit: audit, logger: logger))
    let platform = PlatformRoutes(runtime: runtime, audit: audit, apiDocument: try OpenAPIDocument.json(service: service.name.rawValue, routes: routes),
                                  consumerGroups: serviceType.consumerGroups, refresh: { try await service.refreshMetrics(runtime: $0) },
                                  readiness: ReadinessProbe(check: PlatformRoutes.readinessCheck(runtime: runtime)))
    platform.register(on: router)
    for group in service.routes(runtime: runtime) {
        guard serviceType.routeGroups.contains(where: { $0.describes(group) }) else {
            throw ServiceDefinitionError.undeclaredRouteGroup(String(describing: type(of: group)))
        }
        group.register(on: router)
    }

    // A connection idle for 30 s is closed (slow or stalled clients cannot hold connections open);
    // request bodies are read up to the request context's limit (2 MiB), larger ones get 413.
    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(30))),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "oms-\(service.name.rawValue)"),
        logger: logger
    )
    app.addServices(client, producer, relay)
    app.addServices(pipelines.map { $0 as any Service })
    app.addServices(PipelineWatchdog(heartbeats: pipelines.map { ($0.configuration.groupID, $0.heartbeat) } + [("outbox relay", relay.heartbeat), ("readiness check", platform.readiness.heartbeat)],
                                     limit: .seconds(configuration.pipelineStallSeconds), logger: logger))
    app.addServices(service.backgroundServices(runtime: runtime))
    app.addServices(AdminCloser(admin: admin))
    let migrations = service.migrations
    let schema = configuration.database.schema
    app.beforeServerStarts {
        do {
            let applied = try await Migrator.migrate(client: client, schema: schema, migrations: migrations, logger: logger)
            logger.info("service ready", metadata: ["schema": "\(schema)", "migrationsApplied": "\(applied)", "librdkafka": "\(KafkaRuntime.librdkafkaVersion)"])
            gate.open()
        } catch {
            logger.critical("migrations failed", metadata: ["error": "\(error)"])
            gate.fail()
            throw error
        }
    }
    return app
}

/// A mistake in a service's own definition, found when the process is built.
public enum ServiceDefinitionError: Error, CustomStringConvertible {
    /// A route group served but missing from the service's `routeGroups`, so that neither the
    /// access policy nor the API document would know its routes.
    case undeclaredRouteGroup(String)
    /// A consumer group run but not among the service's `consumerGroups` (suffix and topics), so
    /// that ops tools would not see it.
    case undeclaredConsumerGroup(String)

    public var description: String {
        switch self {
        case .undeclaredRouteGroup(let name): "route group \(name) is served but not declared in routeGroups"
        case .undeclaredConsumerGroup(let suffix): "consumer group \(suffix) runs but is not declared (with these topics) in consumerGroups"
        }
    }
}

/// Closes the admin client when the process shuts down.
struct AdminCloser: Service {
    let admin: KafkaAdmin
    func run() async throws {
        try? await gracefulShutdown()
        await admin.close()
    }
}

/// Records `oms_http_request_seconds{method, route, status}` for every request.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: PlatformMetrics

    public init(metrics: PlatformMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, started: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        metrics.httpHistogram(method: request.method.rawValue, route: route, status: status)
            .recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
    }
}
