import Hummingbird
import OMSDomain
import OMSPlatform

/// The inventory service: available-to-sell vs physical stock, reservations, multi-warehouse
/// sourcing, backorders, replenishment, receipts, transfers and counts (issue 5).
/// Owns the `inventory` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together; every stock
/// change is a movement in the ledger.
public struct InventoryService: OMSService {
    public static let serviceName = ServiceName.inventory

    public init() {}

    public var migrations: [Migration] { InventoryServiceMigrations.all }

    /// Group `oms.inventory.events` over the orders, risk decisions, fulfillment, shipment and
    /// after-sales topics.
    public var handlers: [any EventHandler] { [OrderAllocationHandler(), ShipmentStockHandler(), ReturnRestockHandler()] }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [InventorySetupRoutes(runtime: runtime), StockRoutes(runtime: runtime), PurchasingRoutes(runtime: runtime), SupplierRoutes(runtime: runtime), TransferRoutes(runtime: runtime)]
    }

    /// `oms_inventory_open_backorder_units`, `oms_inventory_open_replenishment_requests` and
    /// `oms_inventory_sold_out_skus`.
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let rows = try await runtime.database.client.query("""
            SELECT (SELECT COALESCE(sum(open_quantity), 0) FROM backorders WHERE status = 'open')::int8,
                   (SELECT count(*) FROM replenishment_requests WHERE status = 'open')::int8,
                   (SELECT count(*) FROM (SELECT sku FROM stock GROUP BY sku HAVING sum(GREATEST(0, on_hand - reserved - safety_stock)) = 0) s)::int8
            """, logger: runtime.logger)
        for try await (backordered, requests, soldOut) in rows.decode((Int, Int, Int).self) {
            runtime.metrics.set("oms_inventory_open_backorder_units", to: Double(backordered))
            runtime.metrics.set("oms_inventory_open_replenishment_requests", to: Double(requests))
            runtime.metrics.set("oms_inventory_sold_out_skus", to: Double(soldOut))
        }
    }
}
