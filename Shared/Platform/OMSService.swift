import Hummingbird
import Logging
import OMSDomain
import ServiceLifecycle

/// What a service contributes to the shared runtime: its schema migrations, its event-handling
/// pipelines and its HTTP routes. Everything else (database pool, producer, outbox relay,
/// health, metrics, graceful shutdown) is the same for every service.
public protocol OMSService: Sendable {
    static var serviceName: ServiceName { get }
    /// The service's own migrations, versions >= 100 (1-99 belong to the platform).
    var migrations: [Migration] { get }
    /// Event handlers of the service's main consumer group.
    var handlers: [any EventHandler] { get }
    /// The consumer groups the service declares (suffix and topics). Ops tools (`omsctl status`,
    /// `replay`) list groups from these.
    static var consumerGroups: [ConsumerGroupSpec] { get }
    /// Consumer groups this process runs, each with its topics and handlers: declared ones only.
    func pipelines(runtime: ServiceRuntime) -> [PipelineSpec]
    /// Every route group the service declares. Its access policy (a request no route covers is
    /// refused), `/openapi.json` and docs/api.md derive from these.
    static var routeGroups: [RouteGroupType] { get }
    /// The route groups this process serves, bound to the runtime: some of `routeGroups` (an intake
    /// worker serves no channel edge), never one not declared there.
    func routes(runtime: ServiceRuntime) -> [any RouteGroup]
    /// Updates gauges that are read from the database (queue depths, SLA breaches) just before
    /// `/metrics` is scraped. Errors are logged, never fail the scrape.
    func refreshMetrics(runtime: ServiceRuntime) async throws
    /// Background jobs of the service (e.g. `PeriodicJob`s), started after the consumers.
    func backgroundServices(runtime: ServiceRuntime) -> [any Service]
}

extension OMSService {
    public var name: ServiceName { Self.serviceName }

    /// One group, `oms.<service>.events`, over the topics the catalogue says the service consumes.
    public static var consumerGroups: [ConsumerGroupSpec] {
        [ConsumerGroupSpec(suffix: "events", topics: TopicCatalogue.topicsConsumed(by: serviceName))]
    }

    /// The declared groups, each with the service's `handlers`. A service without handlers runs no
    /// group, so that a later release reads its topics from the beginning instead of from behind
    /// events an empty consumer would have skipped.
    public func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] {
        handlers.isEmpty ? [] : Self.consumerGroups.map { PipelineSpec($0, handlers: handlers) }
    }

    public static var routeGroups: [RouteGroupType] { [] }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] { [] }

    /// The platform's routes and the service's own: what the access policy and API document list.
    public static var allRoutes: [RouteSpec] { PlatformRoutes.routes + routeGroups.flatMap(\.routes) }

    public func refreshMetrics(runtime: ServiceRuntime) async throws {}

    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] { [] }
}

/// One consumer group of a service: which topics it reads and which handlers process them.
public struct PipelineSpec: Sendable {
    public var groupSuffix: String
    public var topics: [String]
    public var handlers: [any EventHandler]

    /// `groupSuffix` distinguishes several groups in one service (e.g. intake workers and the
    /// status projection); the group id is `oms.<service>.<suffix>`.
    public init(groupSuffix: String, topics: [String], handlers: [any EventHandler]) {
        self.groupSuffix = groupSuffix
        self.topics = topics
        self.handlers = handlers
    }

    /// The declared `group` run with `handlers`; `suffix` names a later generation of it.
    public init(_ group: ConsumerGroupSpec, suffix: String? = nil, handlers: [any EventHandler]) {
        self.init(groupSuffix: suffix ?? group.suffix, topics: group.topics, handlers: handlers)
    }
}
