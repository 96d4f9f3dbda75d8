import OMSDomain
import OMSPlatform

/// The intake service: multi-channel order capture, pricing and promotions, order status (issue 3).
/// Owns the `intake` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct IntakeService: OMSService {
    public let name = ServiceName.intake

    public init() {}

    public var migrations: [Migration] { IntakeServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
