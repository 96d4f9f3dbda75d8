import Hummingbird
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// The logistics service: carrier selection, tracking numbers, waybills and dispatch on
/// `fulfillment.packed`; signed carrier tracking webhooks; delay detection; lost parcels (issue 7).
/// Owns the `logistics` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct LogisticsService: OMSService {
    public static let serviceName = ServiceName.logistics
    public let configuration: LogisticsConfiguration

    public init(configuration: LogisticsConfiguration) {
        self.configuration = configuration
    }

    public var migrations: [Migration] { LogisticsServiceMigrations.all(seedDemoCarriers: configuration.seedDemoCarriers) }

    /// Group `oms.logistics.events` over orders, fulfillment and after-sales.
    public var handlers: [any EventHandler] { [ParcelDispatchHandler(apiCarriers: Set(configuration.waybillCarriers.keys), pickupHoldSeconds: configuration.pickupHoldSeconds), OrderAmendmentHandler()] }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [LogisticsSetupRoutes(runtime: runtime), ShipmentRoutes(runtime: runtime), TrackingWebhookRoutes(runtime: runtime, configuration: configuration),
         CashOnDeliveryRoutes(runtime: runtime), WaybillBookingRoutes(runtime: runtime), PickupRoutes(runtime: runtime)]
    }

    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] {
        [DelayDetector(runtime: runtime, configuration: configuration).job(),
         WaybillBooker(runtime: runtime, carriers: configuration.waybillCarriers, maxAttempts: configuration.waybillMaxAttempts,
                       retryBaseMilliseconds: configuration.waybillRetryBaseMilliseconds, pollMilliseconds: configuration.waybillPollMilliseconds,
                       leaseSeconds: 3 * configuration.waybillTimeoutSeconds + 10).job(),
         PickupExpiry(runtime: runtime, interval: configuration.pickupCheckSeconds).job()]
    }

    /// `oms_logistics_open_shipments`, `oms_logistics_delayed_shipments` (open and delayed),
    /// `oms_logistics_lost_shipments` and `oms_logistics_waybill_bookings{status}`.
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let rows = try await runtime.database.client.query("""
            SELECT count(*) FILTER (WHERE status NOT IN ('delivered', 'lost'))::int8,
                   count(*) FILTER (WHERE status NOT IN ('delivered', 'lost') AND delayed_at IS NOT NULL)::int8,
                   count(*) FILTER (WHERE status = 'lost')::int8
            FROM shipments
            """, logger: runtime.logger)
        for try await (open, delayed, lost) in rows.decode((Int, Int, Int).self) {
            runtime.metrics.set("oms_logistics_open_shipments", to: Double(open))
            runtime.metrics.set("oms_logistics_delayed_shipments", to: Double(delayed))
            runtime.metrics.set("oms_logistics_lost_shipments", to: Double(lost))
        }
        let logger = runtime.logger
        let bookings = try await runtime.database.client.withConnection { try await WaybillBookingStore.counts(connection: $0, logger: logger) }
        for status in WaybillBookingStore.statuses {
            runtime.metrics.set("oms_logistics_waybill_bookings", [("status", status)], to: Double(bookings[status] ?? 0))
        }
    }
}
