import OMSDomain
import OMSPlatform

/// The inventory service: available-to-sell vs physical stock, reservations, multi-warehouse sourcing (issue 5).
/// Owns the `inventory` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct InventoryService: OMSService {
    public let name = ServiceName.inventory

    public init() {}

    public var migrations: [Migration] { InventoryServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
