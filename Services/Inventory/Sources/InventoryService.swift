import Hummingbird
import OMSDomain
import OMSPlatform

/// The inventory service: available-to-sell vs physical stock, reservations, multi-warehouse sourcing (issue 5).
/// Owns the `inventory` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct InventoryService: OMSService {
    public let name = ServiceName.inventory

    public init() {}

    public var migrations: [Migration] { InventoryServiceMigrations.all }

    /// Event handlers of this service. A service runs no consumer group until it has handlers, so
    /// that a later release starts from the beginning of its topics instead of behind skipped events.
    public var handlers: [any EventHandler] { [] }

    public func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] {
        handlers.isEmpty ? [] : [PipelineSpec(groupSuffix: "events", topics: TopicCatalogue.topicsConsumed(by: name), handlers: handlers)]
    }

    public func addRoutes(to router: Router<BasicRequestContext>, runtime: ServiceRuntime) {}
}
