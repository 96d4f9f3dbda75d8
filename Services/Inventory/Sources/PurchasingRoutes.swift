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
        /// Units the replenishment requests asked for (a draft orders at least the supplier's minimum).
        var quantityRequested: Int? = nil
        var unitCostFen: Int64? = nil
    }

    struct PurchaseOrderView: Codable, Sendable {
        var poNumber: String
        var supplier: String
        var warehouseId: String
        /// draft (proposed by the OMS), open (approved or created by hand), received, cancelled.
        var status: String
        var expectedAt: Date
        var lines: [PurchaseOrderLineView]
        /// The supplier of the master (nil for a purchase order created by hand with a free-text supplier).
        var supplierCode: String? = nil
        var totalFen: Int64? = nil
        var approvedBy: String? = nil
        var approvedAt: Date? = nil
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
        /// reorder_point (available-to-sell crossed it) or backorder (an order line waits for the units).
        var reason: String
        /// The first backordered order of a backorder request.
        var orderId: String?
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/inventory/replenishment-requests", [.warehouse, .ops], "Open replenishment requests", use: listReplenishmentRequests),
        .post("/v1/inventory/purchase-orders", [.ops], "Create a purchase order", use: createPurchaseOrder),
        .get("/v1/inventory/purchase-orders", [.ops, .warehouse], "Purchase orders by status (draft, open, received, cancelled)", use: listPurchaseOrders),
        .get("/v1/inventory/purchase-orders/:po", [.ops], "One purchase order and what has been received", use: showPurchaseOrder),
        .post("/v1/inventory/purchase-orders/:po/approve", [.ops], "Approve a draft purchase order: it is sent to the supplier", body: .none, use: approve),
        .put("/v1/inventory/purchase-orders/:po/lines/:sku", [.ops], "Change the quantity of a draft's line (never below the supplier's minimum; 0 removes it)",
             use: changeDraftLine),
        .post("/v1/inventory/purchase-orders/:po/cancel", [.ops], "Cancel a draft or an open purchase order nothing was received against", body: .none, use: cancel),
        .post("/v1/inventory/receipts", [.warehouse, .ops], "Receive goods into a warehouse (against a purchase order or not)", use: receive),
    ]

    func listReplenishmentRequests(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let status = request.queryDictionary["status"] ?? "open"
        guard ["open", "ordered", "dismissed"].contains(status) else { throw APIError.validation([.init(field: "status", reason: "open, ordered or dismissed")]) }
        let found = try await PurchasingStore.replenishmentRequests(status: status, client: runtime.database.client, logger: runtime.logger)
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
            try await PurchasingStore.create(body, by: user, connection: tx.connection, logger: tx.logger)
            return true
        }
        let view = try await purchaseOrder(body.poNumber)!
        return created ? try Response.json(view, status: .created) : try Response.replayed(view)
    }

    func purchaseOrder(_ po: String) async throws -> PurchaseOrderView? {
        try await runtime.database.client.withConnection { try await purchaseOrder(po, on: $0) }
    }

    func purchaseOrder(_ po: String, on connection: PostgresConnection) async throws -> PurchaseOrderView? {
        try await PurchasingStore.purchaseOrder(po, connection: connection, logger: runtime.logger)
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
            if let stored = try await PurchasingStore.receiptFingerprint(body.receiptId, connection: connection, logger: logger) {
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
                try await PurchasingStore.recordReceived(po: po, lines: body.lines, connection: connection, logger: logger)
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
            try await PurchasingStore.recordReceipt(canonical, fingerprint: fingerprint, by: user, connection: connection, logger: logger)
            return (ReceiptView(receiptId: body.receiptId, warehouseId: body.warehouseId, purchaseOrder: body.purchaseOrder, lines: canonical.lines, backordersFilledFor: filled), false)
        }
        return replay ? try Response.replayed(view) : try Response.json(view, status: .created)
    }
}
