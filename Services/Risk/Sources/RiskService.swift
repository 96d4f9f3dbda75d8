import OMSDomain
import OMSPlatform

/// The risk service: order verification, fraud and abuse checks, manual review (issue 4).
/// Owns the `risk` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct RiskService: OMSService {
    public let name = ServiceName.risk

    public init() {}

    public var migrations: [Migration] { RiskServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
