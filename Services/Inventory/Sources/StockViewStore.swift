import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of what staff read about stock: a SKU's levels, its movements, backorders, an order's
/// reservations, the available-to-sell of SKUs. Read-only: every change goes through
/// `StockLedger`, which locks the rows it changes.
enum StockViewStore {
    static func backorders(status: String, sku: String?, client: PostgresClient, logger: Logger) async throws -> [StockRoutes.BackorderView] {
        let rows = try await client.query("""
            SELECT order_id, line_number, sku, quantity, open_quantity, status, expected_date::text, created_at FROM backorders
            WHERE status = \(status) AND (\(sku)::text IS NULL OR sku = \(sku)) ORDER BY id LIMIT 1000
            """, logger: logger)
        var found: [StockRoutes.BackorderView] = []
        for try await (order, line, sku, quantity, open, status, expected, created) in rows.decode((String, Int, String, Int, Int, String, String?, Date).self) {
            found.append(StockRoutes.BackorderView(orderId: order, lineNumber: line, sku: sku, quantity: quantity, openQuantity: open, status: status,
                                                   expectedDate: expected, createdAt: created))
        }
        return found
    }

    /// A SKU's stock per warehouse with its totals, nil when no warehouse stocks it.
    static func stock(_ sku: String, client: PostgresClient, logger: Logger) async throws -> StockRoutes.StockView? {
        let rows = try await client.query("""
            SELECT warehouse_code, on_hand, reserved, safety_stock, quarantined, in_transit, reorder_point, lead_time_days,
                   (SELECT COALESCE(sum(open_quantity), 0) FROM backorders WHERE sku = \(sku) AND status = 'open')::int8
            FROM stock WHERE sku = \(sku) ORDER BY warehouse_code
            """, logger: logger)
        var view = StockRoutes.StockView(sku: sku, onHand: 0, reserved: 0, quarantined: 0, inTransit: 0, availableToSell: 0, openBackorders: 0, warehouses: [])
        for try await (warehouse, onHand, reserved, safety, quarantined, inTransit, reorderPoint, leadTime, backordered) in rows.decode((String, Int, Int, Int, Int, Int, Int, Int, Int).self) {
            let level = StockLevel(onHand: onHand, reserved: reserved, quarantined: quarantined, inTransit: inTransit, safetyStock: safety, reorderPoint: reorderPoint)
            view.warehouses.append(StockRoutes.WarehouseStock(warehouseId: warehouse, onHand: onHand, reserved: reserved, safetyStock: safety, quarantined: quarantined,
                                                  inTransit: inTransit, availableToSell: level.availableToSell, reorderPoint: reorderPoint, leadTimeDays: leadTime))
            view.onHand += onHand
            view.reserved += reserved
            view.quarantined += quarantined
            view.inTransit += inTransit
            view.availableToSell += level.reservable
            view.openBackorders = backordered
        }
        return view.warehouses.isEmpty ? nil : view
    }

    /// A SKU's movements, newest first, below the movement id `before`.
    static func movements(sku: String, warehouse: String?, before: Int64, limit: Int, client: PostgresClient, logger: Logger) async throws -> [StockRoutes.MovementView] {
        let rows = try await client.query("""
            SELECT id, warehouse_code, kind, on_hand_delta, reserved_delta, quarantined_delta, in_transit_delta, cause_type, cause_id, reason_code, actor, occurred_at
            FROM stock_movements WHERE sku = \(sku) AND (\(warehouse)::text IS NULL OR warehouse_code = \(warehouse)) AND id < \(before)
            ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var found: [StockRoutes.MovementView] = []
        for try await (id, warehouse, kind, onHand, reserved, quarantined, inTransit, causeType, causeId, reason, actor, at)
            in rows.decode((Int64, String, String, Int, Int, Int, Int, String, String, String?, String?, Date).self) {
            found.append(StockRoutes.MovementView(id: id, warehouseId: warehouse, kind: kind, onHandDelta: onHand, reservedDelta: reserved, quarantinedDelta: quarantined,
                                                  inTransitDelta: inTransit, causeType: causeType, causeId: causeId, reasonCode: reason, actor: actor, occurredAt: at))
        }
        return found
    }

    /// Available-to-sell summed over the warehouses, for the SKUs any warehouse stocks.
    static func available(_ skus: [String], client: PostgresClient, logger: Logger) async throws -> [String: Int] {
        let rows = try await client.query("""
            SELECT sku, sum(GREATEST(0, on_hand - reserved - safety_stock))::int8 FROM stock WHERE sku = ANY(\(skus)::text[]) GROUP BY sku
            """, logger: logger)
        var found: [String: Int] = [:]
        for try await (sku, available) in rows.decode((String, Int).self) { found[sku] = available }
        return found
    }

    static func warehouseExists(_ code: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM warehouses WHERE code = \(code)", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// An order's reservations and backorders, nil for an order inventory has not seen.
    static func order(_ id: String, client: PostgresClient, logger: Logger) async throws -> StockRoutes.OrderStockView? {
        let rows = try await client.query("SELECT status, ships_partially, blocked_reason FROM orders WHERE order_id = \(id)", logger: logger)
        var view: StockRoutes.OrderStockView?
        for try await (status, partial, blocked) in rows.decode((String, Bool, String?).self) {
            view = StockRoutes.OrderStockView(orderId: id, status: status, shipsPartially: partial, blockedReason: blocked, reservations: [], backorders: [])
        }
        guard var view else { return nil }
        let reservations = try await client.query("""
            SELECT line_number, sku, warehouse_code, quantity, status, announced FROM reservations WHERE order_id = \(id) ORDER BY id
            """, logger: logger)
        for try await (line, sku, warehouse, quantity, status, announced) in reservations.decode((Int, String, String, Int, String, Bool).self) {
            view.reservations.append(StockRoutes.ReservationView(lineNumber: line, sku: sku, warehouseId: warehouse, quantity: quantity, status: status, announced: announced))
        }
        let backorders = try await client.query("""
            SELECT line_number, sku, quantity, open_quantity, status, expected_date::text, created_at FROM backorders WHERE order_id = \(id) ORDER BY id
            """, logger: logger)
        for try await (line, sku, quantity, open, status, expected, created) in backorders.decode((Int, String, Int, Int, String, String?, Date).self) {
            view.backorders.append(StockRoutes.BackorderView(orderId: id, lineNumber: line, sku: sku, quantity: quantity, openQuantity: open, status: status, expectedDate: expected, createdAt: created))
        }
        return view
    }
}
