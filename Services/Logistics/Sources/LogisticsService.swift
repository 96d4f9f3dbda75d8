import OMSDomain
import OMSPlatform

/// The logistics service: carrier selection, waybills, tracking, delivery proof (issue 7).
/// Owns the `logistics` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct LogisticsService: OMSService {
    public let name = ServiceName.logistics

    public init() {}

    public var migrations: [Migration] { LogisticsServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
