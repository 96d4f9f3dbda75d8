import OMSDomain
import OMSPlatform

/// The fulfillment service: pick waves, pick confirmation, packing rules (issue 6).
/// Owns the `fulfillment` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct FulfillmentService: OMSService {
    public let name = ServiceName.fulfillment

    public init() {}

    public var migrations: [Migration] { FulfillmentServiceMigrations.all }

    /// Event handlers of this service (none yet: its issue adds them).
    public var handlers: [any EventHandler] { [] }
}
