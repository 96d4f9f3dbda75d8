import OMSDomain
import OMSPlatform

/// The aftersales service: returns, refunds, exchanges, complaints (issue 8).
/// Owns the `aftersales` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct AfterSalesService: OMSService {
    public let name = ServiceName.aftersales

    public init() {}

    public var migrations: [Migration] { AfterSalesServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
