import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import Testing

/// A service whose groups are declared in one place and run in another is refused when the process
/// is built, so ops tools and the access policy never miss a group or a route.
@Suite("Service definitions: only declared consumer groups and route groups run")
struct ServiceDefinitionTests {
    struct Probe: RouteGroup {
        static let endpoints: [Endpoint<Self>] = [.get("/v1/probe", [.ops], "probe", use: probe)]
        func probe(_ request: Request, _ context: OMSRequestContext) async throws -> Response { Response(status: .ok) }
    }

    struct Handler: EventHandler {
        let eventTypes: Set<String> = [OrderReceived.eventType]
        func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {}
    }

    /// Declares one `events` group over the orders topic and the `Probe` routes; runs what it is told.
    struct Fake: OMSService {
        static let serviceName = ServiceName.risk
        static let consumerGroups = [ConsumerGroupSpec(suffix: "events", topics: [TopicCatalogue.orders], generational: true)]
        static let routeGroups = [RouteGroupType(Probe.self)]
        var migrations: [Migration] { [] }
        var handlers: [any EventHandler] { [Handler()] }
        var runs: [PipelineSpec]
        var serves: [any RouteGroup]
        func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] { runs }
        func routes(runtime: ServiceRuntime) -> [any RouteGroup] { serves }
    }

    static func build(_ service: Fake) throws {
        let configuration = try ServiceConfiguration(service: .risk, environment: [SecretsRequirement.developmentModeVariable: "true"])
        _ = try buildApplication(service: service, configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("declared groups (and a numbered generation of a generational one) build; an undeclared suffix or other topics are refused")
    func consumerGroups() throws {
        let declared = Fake.consumerGroups[0]
        try Self.build(Fake(runs: [PipelineSpec(declared, handlers: [Handler()])], serves: [Probe()]))
        try Self.build(Fake(runs: [PipelineSpec(declared, suffix: "events-g3", handlers: [Handler()])], serves: []))
        for (suffix, topics) in [("audit", [TopicCatalogue.orders]), ("events", [TopicCatalogue.orders, TopicCatalogue.shipments]), ("events-gx", [TopicCatalogue.orders])] {
            #expect(throws: ServiceDefinitionError.self, "\(suffix) \(topics)") {
                try Self.build(Fake(runs: [PipelineSpec(groupSuffix: suffix, topics: topics, handlers: [Handler()])], serves: []))
            }
        }
    }

    @Test("a route group served but not declared is refused")
    func routeGroups() throws {
        struct Stray: RouteGroup {
            static let endpoints: [Endpoint<Self>] = [.get("/v1/stray", .open, "stray", use: stray)]
            func stray(_ request: Request, _ context: OMSRequestContext) async throws -> Response { Response(status: .ok) }
        }
        #expect(throws: ServiceDefinitionError.self) { try Self.build(Fake(runs: [], serves: [Probe(), Stray()])) }
        #expect(Fake.allRoutes.map(\.path).contains("/v1/probe"))
        #expect(Fake.allRoutes.map(\.path).contains("/health/ready"))
    }
}
