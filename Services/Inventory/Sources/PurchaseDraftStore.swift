import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Turns replenishment requests into draft purchase orders: the SKU's preferred supplier
/// (`Supplier.preferred`) gets the units on its one draft for the warehouse, added to the SKU's
/// line and never below the supplier's minimum quantity, and the request is marked ordered with
/// the draft's number. Invariant: one draft per (supplier, warehouse) at a time (a unique index;
/// two processes drafting at once meet on it); a request for a SKU no supplier sells stays open
/// for purchasing to order by hand.
enum PurchaseDraftStore {
    /// One request to answer: what, how many, where (nil: where the supplier delivers).
    struct Need: Sendable {
        var requestID: Int64
        var sku: String
        var quantity: Int
        var warehouse: String?
    }

    /// Adds each need to its supplier's draft; returns the draft numbers touched.
    @discardableResult
    static func draft(_ needs: [Need], now: Date, tx: TransactionContext) async throws -> [String] {
        guard !needs.isEmpty else { return [] }
        let connection = tx.connection, logger = tx.logger
        let offers = try await SupplierStore.offers(for: Array(Set(needs.map(\.sku))), connection: connection, logger: logger)
        var touched: [String] = []
        for need in needs {
            let candidates = offers[need.sku] ?? []
            guard let offer = Supplier.preferred(candidates.map(\.offer)), let shipsTo = candidates.first(where: { $0.offer == offer })?.shipsTo else { continue }
            let warehouse = need.warehouse ?? shipsTo
            let po = try await draftNumber(supplier: offer.supplierCode, warehouse: warehouse, leadTimeDays: offer.leadTimeDays, now: now, tx: tx)
            try await connection.query("""
                INSERT INTO purchase_order_lines (po_number, sku, quantity_requested, quantity_ordered, unit_cost_fen)
                VALUES (\(po), \(need.sku), \(need.quantity), \(offer.item.orderQuantity(for: need.quantity)), \(offer.item.unitCostFen))
                ON CONFLICT (po_number, sku) DO UPDATE SET
                    quantity_requested = purchase_order_lines.quantity_requested + excluded.quantity_requested,
                    quantity_ordered = GREATEST(purchase_order_lines.quantity_requested + excluded.quantity_requested, \(offer.item.minimumOrderQuantity))
                """, logger: logger)
            try await connection.query("UPDATE replenishment_requests SET status = 'ordered', purchase_order = \(po) WHERE id = \(need.requestID)", logger: logger)
            touched.append(po)
        }
        return touched
    }

    /// The supplier's open draft for the warehouse, created when there is none.
    private static func draftNumber(supplier: String, warehouse: String, leadTimeDays: Int, now: Date, tx: TransactionContext) async throws -> String {
        let connection = tx.connection, logger = tx.logger
        let expected = now.addingTimeInterval(Double(leadTimeDays) * 86_400)
        for _ in 0..<2 {
            let existing = try await connection.query("""
                SELECT po_number FROM purchase_orders WHERE supplier_code = \(supplier) AND warehouse_code = \(warehouse) AND status = 'draft' FOR UPDATE
                """, logger: logger)
            for try await po in existing.decode(String.self) { return po }
            let created = try await connection.query("""
                INSERT INTO purchase_orders (po_number, supplier, supplier_code, warehouse_code, status, expected_at, created_by)
                SELECT 'PO-' || to_char(\(now)::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(nextval('purchase_order_numbers')::text, 5, '0'),
                       name, code, \(warehouse), 'draft', \(expected), 'replenishment'
                FROM suppliers WHERE code = \(supplier)
                ON CONFLICT (supplier_code, warehouse_code) WHERE status = 'draft' DO NOTHING
                RETURNING po_number
                """, logger: logger)
            for try await po in created.decode(String.self) { return po }
        }
        throw APIError.conflict("draft_race", "another draft for the supplier appeared and vanished; retry")
    }

    /// Records requests for the units backorders wait for and drafts them: lines of one SKU and
    /// warehouse are summed first, then one statement records them all (backorders can come in
    /// bursts when a promotion sells a SKU out). A SKU without a supplier keeps one open request
    /// per warehouse whose quantity grows with each backorder.
    static func requestForBackorders(_ lines: [(orderID: String, sku: String, quantity: Int, nearest: String)], now: Date, tx: TransactionContext) async throws {
        guard !lines.isEmpty else { return }
        let connection = tx.connection, logger = tx.logger
        let offers = try await SupplierStore.offers(for: Array(Set(lines.map(\.sku))), connection: connection, logger: logger)
        var wanted: [StockKey: (quantity: Int, orderID: String)] = [:], order: [StockKey] = []
        for line in lines {
            let candidates = offers[line.sku] ?? []
            let shipsTo = Supplier.preferred(candidates.map(\.offer)).flatMap { offer in candidates.first { $0.offer == offer }?.shipsTo }
            let key = StockKey(sku: line.sku, warehouse: shipsTo ?? line.nearest)
            guard !key.warehouse.isEmpty else { continue }
            if wanted[key] == nil { order.append(key) }
            wanted[key] = ((wanted[key]?.quantity ?? 0) + line.quantity, wanted[key]?.orderID ?? line.orderID)
        }
        guard !order.isEmpty else { return }
        let rows = try await connection.query("""
            INSERT INTO replenishment_requests (sku, warehouse_code, available_to_sell, reorder_point, suggested_quantity, status, requested_at, reason, order_id)
            SELECT s, w, 0, 0, q, 'open', \(now), 'backorder', o
            FROM unnest(\(order.map(\.sku))::text[], \(order.map(\.warehouse))::text[], \(order.map { wanted[$0]!.quantity })::int8[],
                        \(order.map { wanted[$0]!.orderID })::text[]) AS u(s, w, q, o)
            ON CONFLICT (sku, warehouse_code) WHERE status = 'open' DO UPDATE SET suggested_quantity = replenishment_requests.suggested_quantity + excluded.suggested_quantity
            RETURNING id, sku, warehouse_code, (xmax = 0)
            """, logger: logger)
        var needs: [Need] = []
        for try await (id, sku, warehouse, inserted) in rows.decode((Int64, String, String, Bool).self) {
            let quantity = wanted[StockKey(sku: sku, warehouse: warehouse)]?.quantity ?? 0
            if inserted {
                try tx.emit(ReplenishmentRequested(requestID: id, sku: sku, warehouseId: warehouse, availableToSell: 0, reorderPoint: 0, recentDemand: 0,
                                                   suggestedQuantity: quantity, requestedAt: now),
                            orderID: AvailabilityChanged.key(sku: sku), topic: TopicCatalogue.inventoryEvents)
            }
            if offers[sku]?.isEmpty == false { needs.append(Need(requestID: id, sku: sku, quantity: quantity, warehouse: warehouse)) }
        }
        try await draft(needs, now: now, tx: tx)
    }
}
