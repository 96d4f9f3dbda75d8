import OMSDomain
import OMSPlatform

/// The insights service: read-only order analytics and customer segmentation (issue 13).
/// Owns the `insights` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct InsightsService: OMSService {
    public let name = ServiceName.insights

    public init() {}

    public var migrations: [Migration] { InsightsServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
