import Foundation
import Logging
import PostgresNIO

/// SQL of the reorder-point recomputation: daily reserved units per SKU and warehouse over the
/// window, the lead time of the SKU's preferred supplier (else the stock row's own), and the
/// update. Invariant: rows without sales in the window keep their point (a manual one stays).
enum ReorderPointStore {
    static func recompute(now: Date, connection: PostgresConnection, logger: Logger) async throws -> [SupplierRoutes.ReorderPointChange] {
        let days = ReorderPointRule.windowDays
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        let demand = try await connection.query("""
            SELECT sku, warehouse_code, LEAST(floor(extract(epoch FROM (\(now)::timestamptz - created_at)) / 86400), \(days - 1))::int8, sum(quantity)::int8
            FROM reservations WHERE created_at >= \(since) GROUP BY 1, 2, 3
            """, logger: logger)
        var daily: [StockKey: [Int]] = [:]
        for try await (sku, warehouse, ago, units) in demand.decode((String, String, Int, Int).self) {
            daily[StockKey(sku: sku, warehouse: warehouse), default: Array(repeating: 0, count: days)][max(0, ago)] += units
        }
        guard !daily.isEmpty else { return [] }
        let keys = daily.keys.sorted()
        let offers = try await SupplierStore.offers(for: Array(Set(keys.map(\.sku))), connection: connection, logger: logger)
        let rows = try await connection.query("""
            SELECT sku, warehouse_code, reorder_point, lead_time_days FROM stock
            WHERE (sku, warehouse_code) IN (SELECT * FROM unnest(\(keys.map(\.sku))::text[], \(keys.map(\.warehouse))::text[]))
            ORDER BY sku, warehouse_code FOR UPDATE
            """, logger: logger)
        var changes: [SupplierRoutes.ReorderPointChange] = []
        for try await (sku, warehouse, before, ownLead) in rows.decode((String, String, Int, Int).self) {
            let key = StockKey(sku: sku, warehouse: warehouse)
            let series = daily[key] ?? []
            let lead = Supplier.preferred((offers[sku] ?? []).map(\.offer))?.leadTimeDays ?? ownLead
            let after = ReorderPointRule.reorderPoint(dailyDemand: series, leadTimeDays: lead)
            guard after > 0, after != before else { continue }
            changes.append(.init(sku: sku, warehouseId: warehouse, before: before, after: after, leadTimeDays: lead, unitsInWindow: series.reduce(0, +)))
        }
        if !changes.isEmpty {
            try await connection.query("""
                UPDATE stock SET reorder_point = u.p, updated_at = now()
                FROM unnest(\(changes.map(\.sku))::text[], \(changes.map(\.warehouseId))::text[], \(changes.map(\.after))::int8[]) AS u(s, w, p)
                WHERE stock.sku = u.s AND stock.warehouse_code = u.w
                """, logger: logger)
        }
        return changes
    }
}
