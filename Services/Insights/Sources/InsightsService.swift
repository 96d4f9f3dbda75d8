import Hummingbird
import OMSDomain
import OMSPlatform

/// The insights service: read-only order analytics and customer segmentation (issue 13).
/// Owns the `insights` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct InsightsService: OMSService {
    public let name = ServiceName.insights

    public init() {}

    public var migrations: [Migration] { InsightsServiceMigrations.all }

    /// Event handlers of this service. A service runs no consumer group until it has handlers, so
    /// that a later release starts from the beginning of its topics instead of behind skipped events.
    public var handlers: [any EventHandler] { [] }

    public func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] {
        handlers.isEmpty ? [] : [PipelineSpec(groupSuffix: "events", topics: TopicCatalogue.topicsConsumed(by: name), handlers: handlers)]
    }

    public func addRoutes(to router: Router<BasicRequestContext>, runtime: ServiceRuntime) {}
}
