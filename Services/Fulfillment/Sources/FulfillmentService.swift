import Hummingbird
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// The fulfillment service: fulfillment orders per (order, warehouse), pick waves in walking order,
/// scan-confirmed picking with short picks, packing rules and cartons, automatic warehouses (issue 6).
/// Owns the `fulfillment` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct FulfillmentService: OMSService {
    public static let serviceName = ServiceName.fulfillment
    public let configuration: FulfillmentConfiguration

    public init(configuration: FulfillmentConfiguration) {
        self.configuration = configuration
    }

    public var migrations: [Migration] { FulfillmentServiceMigrations.all(seedDemoItems: configuration.seedDemoItems) }

    /// Group `oms.fulfillment.events` over orders, inventory, shipments, after-sales and the product
    /// master's changes.
    public var handlers: [any EventHandler] { [FulfillmentOrderHandler(configuration: configuration), ItemMasterHandler()] }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [
            FulfillmentSetupRoutes(runtime: runtime, configuration: configuration),
            PickingRoutes(runtime: runtime, configuration: configuration),
            PackingRoutes(runtime: runtime, configuration: configuration),
        ]
    }

    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] {
        [WaveScheduler(runtime: runtime, configuration: configuration).job()]
    }

    /// `oms_fulfillment_waiting_orders` (manual orders not yet in a wave), `oms_fulfillment_open_waves`
    /// and `oms_fulfillment_blocked_orders` (packing waits for item data).
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let rows = try await runtime.database.client.query("""
            SELECT (SELECT count(*) FROM fulfillment_orders WHERE status = 'open')::int8,
                   (SELECT count(*) FROM pick_waves WHERE status = 'picking')::int8,
                   (SELECT count(*) FROM fulfillment_orders WHERE blocked_reason IS NOT NULL AND status = 'picked')::int8
            """, logger: runtime.logger)
        for try await (waiting, waves, blocked) in rows.decode((Int, Int, Int).self) {
            runtime.metrics.set("oms_fulfillment_waiting_orders", to: Double(waiting))
            runtime.metrics.set("oms_fulfillment_open_waves", to: Double(waves))
            runtime.metrics.set("oms_fulfillment_blocked_orders", to: Double(blocked))
        }
    }
}
