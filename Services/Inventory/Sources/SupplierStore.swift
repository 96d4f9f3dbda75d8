import Foundation
import Logging
import PostgresNIO

/// SQL of the supplier master. Invariant: a supplier is saved whole (its item list replaces the
/// previous one in the same transaction), so a SKU is never half-listed.
enum SupplierStore {
    static func save(_ supplier: Supplier, by user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO suppliers (code, name, email, phone, lead_time_days, minimum_order_fen, ships_to_warehouse, updated_by)
            VALUES (\(supplier.code), \(supplier.name), \(supplier.email), \(supplier.phone), \(supplier.leadTimeDays), \(supplier.minimumOrderFen),
                    \(supplier.shipsToWarehouseId), \(user))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone, lead_time_days = excluded.lead_time_days,
                minimum_order_fen = excluded.minimum_order_fen, ships_to_warehouse = excluded.ships_to_warehouse, updated_by = excluded.updated_by, updated_at = now()
            """, logger: logger)
        try await connection.query("DELETE FROM supplier_items WHERE supplier_code = \(supplier.code)", logger: logger)
        try await connection.query("""
            INSERT INTO supplier_items (supplier_code, sku, unit_cost_fen, minimum_order_quantity)
            SELECT \(supplier.code), s, c, m FROM unnest(\(supplier.items.map(\.sku))::text[], \(supplier.items.map(\.unitCostFen))::int8[],
                                                          \(supplier.items.map(\.minimumOrderQuantity))::int8[]) AS u(s, c, m)
            """, logger: logger)
    }

    static func supplier(_ code: String, connection: PostgresConnection, logger: Logger) async throws -> Supplier? {
        try await suppliers(where: code, connection: connection, logger: logger).first
    }

    /// Every supplier (or the one named), items sorted by SKU.
    static func suppliers(where code: String? = nil, connection: PostgresConnection, logger: Logger) async throws -> [Supplier] {
        let rows = try await connection.query("""
            SELECT code, name, email, phone, lead_time_days, minimum_order_fen, ships_to_warehouse FROM suppliers
            WHERE \(code)::text IS NULL OR code = \(code)::text ORDER BY code LIMIT 1000
            """, logger: logger)
        var found: [Supplier] = []
        for try await (code, name, email, phone, lead, minimum, warehouse) in rows.decode((String, String, String, String?, Int, Int64, String).self) {
            found.append(Supplier(code: code, name: name, email: email, phone: phone, leadTimeDays: lead, minimumOrderFen: minimum, shipsToWarehouseId: warehouse, items: []))
        }
        guard !found.isEmpty else { return [] }
        let items = try await connection.query("""
            SELECT supplier_code, sku, unit_cost_fen, minimum_order_quantity FROM supplier_items
            WHERE supplier_code = ANY(\(found.map(\.code))::text[]) ORDER BY supplier_code, sku
            """, logger: logger)
        var bySupplier: [String: [Supplier.Item]] = [:]
        for try await (supplier, sku, cost, minimum) in items.decode((String, String, Int64, Int).self) {
            bySupplier[supplier, default: []].append(Supplier.Item(sku: sku, unitCostFen: cost, minimumOrderQuantity: minimum))
        }
        return found.map { var supplier = $0; supplier.items = bySupplier[supplier.code] ?? []; return supplier }
    }

    /// What each supplier offers for these SKUs, with the warehouse it delivers to.
    static func offers(for skus: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: [(offer: Supplier.Offer, shipsTo: String)]] {
        guard !skus.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT i.sku, s.code, s.lead_time_days, s.ships_to_warehouse, i.unit_cost_fen, i.minimum_order_quantity
            FROM supplier_items i JOIN suppliers s ON s.code = i.supplier_code WHERE i.sku = ANY(\(skus)::text[])
            """, logger: logger)
        var offers: [String: [(offer: Supplier.Offer, shipsTo: String)]] = [:]
        for try await (sku, code, lead, shipsTo, cost, minimum) in rows.decode((String, String, Int, String, Int64, Int).self) {
            offers[sku, default: []].append((Supplier.Offer(supplierCode: code, leadTimeDays: lead, item: Supplier.Item(sku: sku, unitCostFen: cost, minimumOrderQuantity: minimum)), shipsTo))
        }
        return offers
    }
}
