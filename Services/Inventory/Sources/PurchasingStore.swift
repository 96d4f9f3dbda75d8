import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of the supplier side of stock: replenishment requests, purchase orders and goods receipts.
/// Invariant: a purchase order number and a receipt id are each recorded once (the routes compare
/// a repeat with what was recorded); stock itself changes only through `StockLedger`.
enum PurchasingStore {
    static func replenishmentRequests(status: String, client: PostgresClient, logger: Logger) async throws -> [PurchasingRoutes.ReplenishmentView] {
        let rows = try await client.query("""
            SELECT id, sku, warehouse_code, available_to_sell, reorder_point, suggested_quantity, status, purchase_order, requested_at, reason, order_id
            FROM replenishment_requests WHERE status = \(status) ORDER BY id LIMIT 1000
            """, logger: logger)
        var found: [PurchasingRoutes.ReplenishmentView] = []
        for try await (id, sku, warehouse, ats, rp, suggested, status, po, at, reason, order) in rows.decode((Int64, String, String, Int, Int, Int, String, String?, Date, String, String?).self) {
            found.append(PurchasingRoutes.ReplenishmentView(requestId: id, sku: sku, warehouseId: warehouse, availableToSell: ats, reorderPoint: rp,
                                                            suggestedQuantity: suggested, status: status, purchaseOrder: po, requestedAt: at, reason: reason, orderId: order))
        }
        return found
    }

    /// A new open purchase order with its lines; the open replenishment requests it answers are ordered.
    static func create(_ order: PurchasingRoutes.PurchaseOrderRequest, by user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO purchase_orders (po_number, supplier, warehouse_code, status, expected_at, created_by)
            VALUES (\(order.poNumber), \(order.supplier), \(order.warehouseId), 'open', \(order.expectedAt), \(user))
            """, logger: logger)
        try await connection.query("""
            INSERT INTO purchase_order_lines (po_number, sku, quantity_ordered)
            SELECT \(order.poNumber), s, q FROM unnest(\(order.lines.map(\.sku))::text[], \(order.lines.map(\.quantity))::int8[]) AS u(s, q)
            """, logger: logger)
        try await connection.query("""
            UPDATE replenishment_requests SET status = 'ordered', purchase_order = \(order.poNumber)
            WHERE status = 'open' AND warehouse_code = \(order.warehouseId) AND sku = ANY(\(order.lines.map(\.sku))::text[])
            """, logger: logger)
    }

    static let statuses = ["draft", "open", "received", "cancelled"]

    static func purchaseOrder(_ po: String, connection: PostgresConnection, logger: Logger) async throws -> PurchasingRoutes.PurchaseOrderView? {
        try await purchaseOrder(po, locking: false, connection: connection, logger: logger)
    }

    /// The purchase order, its row locked until the transaction ends (a decision on it).
    static func lockedPurchaseOrder(_ po: String, connection: PostgresConnection, logger: Logger) async throws -> PurchasingRoutes.PurchaseOrderView? {
        try await purchaseOrder(po, locking: true, connection: connection, logger: logger)
    }

    private static func purchaseOrder(_ po: String, locking: Bool, connection: PostgresConnection, logger: Logger) async throws -> PurchasingRoutes.PurchaseOrderView? {
        let rows = try await connection.query(locking
            ? "SELECT supplier, warehouse_code, status, expected_at, supplier_code, approved_by, approved_at FROM purchase_orders WHERE po_number = \(po) FOR UPDATE"
            : "SELECT supplier, warehouse_code, status, expected_at, supplier_code, approved_by, approved_at FROM purchase_orders WHERE po_number = \(po)", logger: logger)
        var view: PurchasingRoutes.PurchaseOrderView?
        for try await (supplier, warehouse, status, expected, code, approvedBy, approvedAt) in rows.decode((String, String, String, Date, String?, String?, Date?).self) {
            view = PurchasingRoutes.PurchaseOrderView(poNumber: po, supplier: supplier, warehouseId: warehouse, status: status, expectedAt: expected, lines: [],
                                                      supplierCode: code, approvedBy: approvedBy, approvedAt: approvedAt)
        }
        guard var view else { return nil }
        let lines = try await connection.query("""
            SELECT sku, quantity_ordered, quantity_received, quantity_requested, unit_cost_fen FROM purchase_order_lines WHERE po_number = \(po) ORDER BY sku
            """, logger: logger)
        for try await (sku, ordered, received, requested, cost) in lines.decode((String, Int, Int, Int, Int64?).self) {
            view.lines.append(PurchasingRoutes.PurchaseOrderLineView(sku: sku, quantityOrdered: ordered, quantityReceived: received,
                                                                     quantityRequested: view.supplierCode == nil ? nil : requested, unitCostFen: cost))
        }
        if view.lines.allSatisfy({ $0.unitCostFen != nil }) {
            view.totalFen = view.lines.reduce(0) { $0 + Int64($1.quantityOrdered) * ($1.unitCostFen ?? 0) }
        }
        return view
    }

    /// Purchase order numbers in a status, oldest first (at most 200).
    static func numbers(status: String, client: PostgresClient, logger: Logger) async throws -> [String] {
        let rows = try await client.query("SELECT po_number FROM purchase_orders WHERE status = \(status) ORDER BY created_at, po_number LIMIT 200", logger: logger)
        var found: [String] = []
        for try await po in rows.decode(String.self) { found.append(po) }
        return found
    }

    static func markApproved(_ po: String, by user: String, at now: Date, expectedAt: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE purchase_orders SET status = 'open', approved_by = \(user), approved_at = \(now), expected_at = \(expectedAt) WHERE po_number = \(po)
            """, logger: logger)
    }

    /// A draft's line set to `quantity` units, or removed at 0 (purchasing decided against the
    /// SKU's requests on it: they are dismissed).
    static func setDraftLine(_ po: String, sku: String, quantity: Int, connection: PostgresConnection, logger: Logger) async throws {
        if quantity == 0 {
            try await connection.query("DELETE FROM purchase_order_lines WHERE po_number = \(po) AND sku = \(sku)", logger: logger)
            try await connection.query("""
                UPDATE replenishment_requests SET status = 'dismissed' WHERE purchase_order = \(po) AND sku = \(sku) AND status = 'ordered'
                """, logger: logger)
        } else {
            try await connection.query("UPDATE purchase_order_lines SET quantity_ordered = \(quantity) WHERE po_number = \(po) AND sku = \(sku)", logger: logger)
        }
    }

    /// Cancelled; the requests it answered are dismissed (purchasing decided against them).
    static func markCancelled(_ po: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE purchase_orders SET status = 'cancelled' WHERE po_number = \(po)", logger: logger)
        try await connection.query("UPDATE replenishment_requests SET status = 'dismissed' WHERE purchase_order = \(po) AND status = 'ordered'", logger: logger)
    }

    /// The fingerprint of the receipt recorded under this id, if any.
    static func receiptFingerprint(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("SELECT fingerprint FROM receipts WHERE receipt_id = \(id)", logger: logger)
        for try await stored in rows.decode(String.self) { return stored }
        return nil
    }

    /// Counts received units on the purchase order's lines; the order is received once every line is.
    static func recordReceived(po: String, lines: [QuantityLine], connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE purchase_order_lines SET quantity_received = quantity_received + u.q
            FROM unnest(\(lines.map(\.sku))::text[], \(lines.map(\.quantity))::int8[]) AS u(s, q)
            WHERE po_number = \(po) AND sku = u.s
            """, logger: logger)
        try await connection.query("""
            UPDATE purchase_orders SET status = 'received'
            WHERE po_number = \(po) AND NOT EXISTS (SELECT 1 FROM purchase_order_lines WHERE po_number = \(po) AND quantity_received < quantity_ordered)
            """, logger: logger)
    }

    static func recordReceipt(_ receipt: PurchasingRoutes.ReceiptRequest, fingerprint: String, by user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO receipts (receipt_id, warehouse_code, po_number, fingerprint, lines, received_by)
            VALUES (\(receipt.receiptId), \(receipt.warehouseId), \(receipt.purchaseOrder), \(fingerprint), \(String(decoding: try EventCoding.encode(receipt.lines), as: UTF8.self))::jsonb,
                    \(user))
            """, logger: logger)
    }
}
