import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Purchasing and goods-in: `GET /v1/inventory/replenishment-requests` (open low-stock signals),
/// `POST /v1/inventory/purchase-orders` (answers the open requests of its SKUs; its expected
/// arrival dates backorders), `GET /v1/inventory/purchase-orders/{po}` and
/// `POST /v1/inventory/receipts` (raises on-hand, against a purchase order or free, then fills
/// backorders first in, first out). Invariant: a receipt id or PO number posted twice with the
/// same content is a replay; with other content it is refused (409).
struct PurchasingRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct PurchaseOrderRequest: Codable, Hashable, Sendable {
        var poNumber: String
        var supplier: String
        var warehouseId: String
        var expectedAt: Date
        var lines: [QuantityLine]
    }

    struct PurchaseOrderLineView: Codable, Sendable {
        var sku: String
        var quantityOrdered: Int
        var quantityReceived: Int
    }

    struct PurchaseOrderView: Codable, Sendable {
        var poNumber: String
        var supplier: String
        var warehouseId: String
        var status: String
        var expectedAt: Date
        var lines: [PurchaseOrderLineView]
    }

    struct ReceiptRequest: Codable, Hashable, Sendable {
        var receiptId: String
        var warehouseId: String
        var purchaseOrder: String?
        var lines: [QuantityLine]
    }

    struct ReceiptView: Codable, Sendable {
        var receiptId: String
        var warehouseId: String
        var purchaseOrder: String?
        var lines: [QuantityLine]
        /// Orders whose backorders this receipt filled (now, in first-in-first-out order).
        var backordersFilledFor: [String]
    }

    struct ReplenishmentView: Codable, Sendable {
        var requestId: Int64
        var sku: String
        var warehouseId: String
        var availableToSell: Int
        var reorderPoint: Int
        var suggestedQuantity: Int
        var status: String
        var purchaseOrder: String?
        var requestedAt: Date
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/inventory/replenishment-requests", [.warehouse, .ops], "Open replenishment requests", use: listReplenishmentRequests),
        .post("/v1/inventory/purchase-orders", [.ops], "Create a purchase order", use: createPurchaseOrder),
        .get("/v1/inventory/purchase-orders/:po", [.ops], "One purchase order and what has been received", use: showPurchaseOrder),
        .post("/v1/inventory/receipts", [.warehouse, .ops], "Receive goods into a warehouse (against a purchase order or not)", use: receive),
    ]

    func listReplenishmentRequests(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let status = request.queryDictionary["status"] ?? "open"
        guard ["open", "ordered", "dismissed"].contains(status) else { throw APIError.validation([.init(field: "status", reason: "open, ordered or dismissed")]) }
        let rows = try await runtime.database.client.query("""
            SELECT id, sku, warehouse_code, available_to_sell, reorder_point, suggested_quantity, status, purchase_order, requested_at
            FROM replenishment_requests WHERE status = \(status) ORDER BY id LIMIT 1000
            """, logger: runtime.logger)
        var found: [ReplenishmentView] = []
        for try await (id, sku, warehouse, ats, rp, suggested, status, po, at) in rows.decode((Int64, String, String, Int, Int, Int, String, String?, Date).self) {
            found.append(ReplenishmentView(requestId: id, sku: sku, warehouseId: warehouse, availableToSell: ats, reorderPoint: rp, suggestedQuantity: suggested,
                                           status: status, purchaseOrder: po, requestedAt: at))
        }
        return try Response.json(["requests": found])
    }

    func createPurchaseOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: PurchaseOrderRequest.self, context: context)
        return try await createPurchaseOrder(body, user: context.actingUser)
    }

    func showPurchaseOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let view = try await purchaseOrder(context.parameters.get("po") ?? "") else { throw APIError.notFound("purchase order") }
        return try Response.json(view)
    }

    func receive(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ReceiptRequest.self, context: context)
        return try await receive(body, user: context.actingUser)
    }

    func createPurchaseOrder(_ body: PurchaseOrderRequest, user: String) async throws -> Response {
        var check = RequestCheck()
        check.code(body.poNumber, "poNumber")
        check.text(body.supplier, "supplier")
        check.code(body.warehouseId, "warehouseId")
        check.lines(body.lines)
        try check.check()
        let created = try await runtime.retryingTransaction { tx -> Bool in
            if let existing = try await purchaseOrder(body.poNumber, on: tx.connection) {
                let same = existing.supplier == body.supplier && existing.warehouseId == body.warehouseId
                    && Set(existing.lines.map { QuantityLine(sku: $0.sku, quantity: $0.quantityOrdered) }) == Set(body.lines)
                guard same else { throw APIError.conflict("po_number_reused", "a different purchase order already has this number") }
                return false
            }
            try await StockRoutes.requireWarehouse(body.warehouseId, field: "warehouseId", tx: tx)
            try await tx.connection.query("""
                INSERT INTO purchase_orders (po_number, supplier, warehouse_code, status, expected_at, created_by)
                VALUES (\(body.poNumber), \(body.supplier), \(body.warehouseId), 'open', \(body.expectedAt), \(user))
                """, logger: tx.logger)
            try await tx.connection.query("""
                INSERT INTO purchase_order_lines (po_number, sku, quantity_ordered)
                SELECT \(body.poNumber), s, q FROM unnest(\(body.lines.map(\.sku))::text[], \(body.lines.map(\.quantity))::int8[]) AS u(s, q)
                """, logger: tx.logger)
            try await tx.connection.query("""
                UPDATE replenishment_requests SET status = 'ordered', purchase_order = \(body.poNumber)
                WHERE status = 'open' AND warehouse_code = \(body.warehouseId) AND sku = ANY(\(body.lines.map(\.sku))::text[])
                """, logger: tx.logger)
            return true
        }
        let view = try await purchaseOrder(body.poNumber)!
        return created ? try Response.json(view, status: .created) : try Response.replayed(view)
    }

    func purchaseOrder(_ po: String) async throws -> PurchaseOrderView? {
        try await runtime.database.client.withConnection { try await purchaseOrder(po, on: $0) }
    }

    func purchaseOrder(_ po: String, on connection: PostgresConnection) async throws -> PurchaseOrderView? {
        let rows = try await connection.query("SELECT supplier, warehouse_code, status, expected_at FROM purchase_orders WHERE po_number = \(po)", logger: runtime.logger)
        var view: PurchaseOrderView?
        for try await (supplier, warehouse, status, expected) in rows.decode((String, String, String, Date).self) {
            view = PurchaseOrderView(poNumber: po, supplier: supplier, warehouseId: warehouse, status: status, expectedAt: expected, lines: [])
        }
        guard var view else { return nil }
        let lines = try await connection.query("SELECT sku, quantity_ordered, quantity_received FROM purchase_order_lines WHERE po_number = \(po) ORDER BY sku", logger: runtime.logger)
        for try await (sku, ordered, received) in lines.decode((String, Int, Int).self) {
            view.lines.append(PurchaseOrderLineView(sku: sku, quantityOrdered: ordered, quantityReceived: received))
        }
        return view
    }

    func receive(_ body: ReceiptRequest, user: String) async throws -> Response {
        var check = RequestCheck()
        check.text(body.receiptId, "receiptId")
        check.code(body.warehouseId, "warehouseId")
        if let po = body.purchaseOrder { check.code(po, "purchaseOrder") }
        check.lines(body.lines)
        try check.check()
        let canonical = ReceiptRequest(receiptId: body.receiptId, warehouseId: body.warehouseId, purchaseOrder: body.purchaseOrder, lines: body.lines.sorted { $0.sku < $1.sku })
        let fingerprint = String(decoding: try EventCoding.encode(canonical), as: UTF8.self)
        let (view, replay) = try await runtime.retryingTransaction { tx -> (ReceiptView, Bool) in
            let connection = tx.connection, logger = tx.logger
            let existing = try await connection.query("SELECT fingerprint FROM receipts WHERE receipt_id = \(body.receiptId)", logger: logger)
            for try await stored in existing.decode(String.self) {
                guard stored == fingerprint else { throw APIError.conflict("receipt_id_reused", "a different receipt already has this id") }
                return (ReceiptView(receiptId: body.receiptId, warehouseId: body.warehouseId, purchaseOrder: body.purchaseOrder, lines: canonical.lines, backordersFilledFor: []), true)
            }
            try await StockRoutes.requireWarehouse(body.warehouseId, field: "warehouseId", tx: tx)
            if let po = body.purchaseOrder {
                guard let order = try await purchaseOrder(po, on: connection) else { throw APIError.validation([.init(field: "purchaseOrder", reason: "unknown purchase order")]) }
                guard order.status == "open" else { throw APIError.conflict("purchase_order_closed", "the purchase order is \(order.status)") }
                guard order.warehouseId == body.warehouseId else { throw APIError.validation([.init(field: "warehouseId", reason: "the purchase order is for another warehouse")]) }
                var problems: [APIError.FieldError] = []
                for (index, line) in body.lines.enumerated() {
                    guard let ordered = order.lines.first(where: { $0.sku == line.sku }) else {
                        problems.append(.init(field: "lines[\(index)].sku", reason: "not on the purchase order")); continue
                    }
                    if ordered.quantityReceived + line.quantity > ordered.quantityOrdered {
                        problems.append(.init(field: "lines[\(index)].quantity", reason: "more than the \(ordered.quantityOrdered - ordered.quantityReceived) units still expected"))
                    }
                }
                if !problems.isEmpty { throw APIError.validation(problems) }
                try await connection.query("""
                    UPDATE purchase_order_lines SET quantity_received = quantity_received + u.q
                    FROM unnest(\(body.lines.map(\.sku))::text[], \(body.lines.map(\.quantity))::int8[]) AS u(s, q)
                    WHERE po_number = \(po) AND sku = u.s
                    """, logger: logger)
                try await connection.query("""
                    UPDATE purchase_orders SET status = 'received'
                    WHERE po_number = \(po) AND NOT EXISTS (SELECT 1 FROM purchase_order_lines WHERE po_number = \(po) AND quantity_received < quantity_ordered)
                    """, logger: logger)
            }
            let keys = Set(body.lines.map { StockKey(sku: $0.sku, warehouse: body.warehouseId) })
            let allocator = try await OrderAllocator.begin(skus: Set(keys.map(\.sku)), creating: keys, tx: tx)
            let cause = StockLedger.Cause(type: "receipt", id: body.receiptId)
            for line in body.lines {
                try allocator.ledger.record(.receipt, StockKey(sku: line.sku, warehouse: body.warehouseId), onHand: line.quantity, cause: cause, reasonCode: body.purchaseOrder, actor: user)
            }
            let now = Date()
            let filled = try await allocator.fillBackorders(skus: Set(body.lines.map(\.sku)), causedBy: nil, now: now)
            try await allocator.ledger.flush(now: now)
            try await connection.query("""
                INSERT INTO receipts (receipt_id, warehouse_code, po_number, fingerprint, lines, received_by)
                VALUES (\(body.receiptId), \(body.warehouseId), \(body.purchaseOrder), \(fingerprint), \(String(decoding: try EventCoding.encode(canonical.lines), as: UTF8.self))::jsonb, \(user))
                """, logger: logger)
            return (ReceiptView(receiptId: body.receiptId, warehouseId: body.warehouseId, purchaseOrder: body.purchaseOrder, lines: canonical.lines, backordersFilledFor: filled), false)
        }
        return replay ? try Response.replayed(view) : try Response.json(view, status: .created)
    }
}
