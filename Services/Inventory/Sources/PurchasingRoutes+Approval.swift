import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Purchasing's decisions on purchase orders: list by status, change a draft's line, approve a draft (checked against
/// the supplier's minimum order; `inventory.purchase-order-approved` in the same transaction, so
/// the integrations service e-mails it to the supplier), cancel one nothing was received against.
/// Invariant: approving an approved order answers it again (replayed), never a second event.
extension PurchasingRoutes {
    func listPurchaseOrders(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let status = request.queryDictionary["status"] ?? "draft"
        guard PurchasingStore.statuses.contains(status) else {
            throw APIError.validation([.init(field: "status", reason: PurchasingStore.statuses.joined(separator: ", "))])
        }
        let numbers = try await PurchasingStore.numbers(status: status, client: runtime.database.client, logger: runtime.logger)
        var orders: [PurchaseOrderView] = []
        for po in numbers { if let view = try await purchaseOrder(po) { orders.append(view) } }
        return try Response.json(["purchaseOrders": orders])
    }

    func approve(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let po = context.parameters.get("po") ?? "", user = context.actingUser
        let (view, replay) = try await runtime.retryingTransaction { tx -> (PurchaseOrderView, Bool) in
            guard let order = try await PurchasingStore.lockedPurchaseOrder(po, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("purchase order") }
            if order.status == "open", order.approvedBy != nil { return (order, true) }
            guard order.status == "draft" else { throw APIError.conflict("purchase_order_not_draft", "the purchase order is \(order.status); only a draft is approved") }
            guard let code = order.supplierCode, let supplier = try await SupplierStore.supplier(code, connection: tx.connection, logger: tx.logger) else {
                throw APIError.conflict("no_supplier", "the purchase order names no supplier of the master")
            }
            let lines = order.lines.map { PurchaseOrderApproved.Line(sku: $0.sku, quantity: $0.quantityOrdered, unitCostFen: $0.unitCostFen ?? 0) }
            let now = Date(), expected = Date().addingTimeInterval(Double(supplier.leadTimeDays) * 86_400)
            let event = PurchaseOrderApproved(poNumber: po, supplierCode: supplier.code, supplierName: supplier.name, supplierEmail: supplier.email,
                                              warehouseId: order.warehouseId, expectedAt: expected, lines: lines, approvedBy: user, approvedAt: now)
            guard event.totalFen >= supplier.minimumOrderFen else {
                throw APIError.conflict("below_supplier_minimum",
                                        "the order comes to ¥\(Money.fen(event.totalFen).yuanString), below the supplier's minimum of ¥\(Money.fen(supplier.minimumOrderFen).yuanString)")
            }
            try await PurchasingStore.markApproved(po, by: user, at: now, expectedAt: expected, connection: tx.connection, logger: tx.logger)
            try tx.emit(event, orderID: PurchaseOrderApproved.key(po: po), topic: TopicCatalogue.inventoryEvents)
            return (try await PurchasingStore.purchaseOrder(po, connection: tx.connection, logger: tx.logger)!, false)
        }
        if !replay { runtime.logger.notice("purchase order approved", metadata: ["po": "\(po)", "by": "\(user)", "totalFen": "\(view.totalFen ?? 0)"]) }
        return replay ? try Response.replayed(view) : try Response.json(view)
    }

    /// What purchasing may change on a draft before approving it.
    struct DraftLineChange: Codable, Sendable {
        var quantity: Int
    }

    /// Purchasing's correction of a draft: the line's quantity (at least the supplier's minimum
    /// quantity), or 0 to drop the SKU; the last line cannot be dropped (cancel the draft instead).
    func changeDraftLine(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let po = context.parameters.get("po") ?? "", sku = context.parameters.get("sku") ?? ""
        let body = try await request.decodeJSON(as: DraftLineChange.self, context: context)
        var check = RequestCheck()
        check.units(body.quantity, "quantity", allowZero: true)
        try check.check()
        let view = try await runtime.retryingTransaction { tx -> PurchaseOrderView in
            guard let order = try await PurchasingStore.lockedPurchaseOrder(po, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("purchase order") }
            guard order.status == "draft" else { throw APIError.conflict("purchase_order_not_draft", "the purchase order is \(order.status); only a draft is changed") }
            guard order.lines.contains(where: { $0.sku == sku }) else { throw APIError.notFound("line") }
            if body.quantity == 0 {
                guard order.lines.count > 1 else { throw APIError.conflict("last_line", "a draft keeps at least one line; cancel the draft instead") }
            } else if let code = order.supplierCode, let supplier = try await SupplierStore.supplier(code, connection: tx.connection, logger: tx.logger),
                      let item = supplier.items.first(where: { $0.sku == sku }), body.quantity < item.minimumOrderQuantity {
                throw APIError.validation([.init(field: "quantity", reason: "at least the supplier's minimum order quantity of \(item.minimumOrderQuantity)")])
            }
            try await PurchasingStore.setDraftLine(po, sku: sku, quantity: body.quantity, connection: tx.connection, logger: tx.logger)
            return try await PurchasingStore.purchaseOrder(po, connection: tx.connection, logger: tx.logger)!
        }
        runtime.logger.notice("draft purchase order changed", metadata: ["po": "\(po)", "sku": "\(sku)", "quantity": "\(body.quantity)", "by": "\(context.actingUser)"])
        return try Response.json(view)
    }

    func cancel(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let po = context.parameters.get("po") ?? ""
        let (view, replay) = try await runtime.retryingTransaction { tx -> (PurchaseOrderView, Bool) in
            guard let order = try await PurchasingStore.lockedPurchaseOrder(po, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("purchase order") }
            if order.status == "cancelled" { return (order, true) }
            guard order.status == "draft" || order.status == "open", order.lines.allSatisfy({ $0.quantityReceived == 0 }) else {
                throw APIError.conflict("purchase_order_received", "goods were received against the purchase order; it closes when the rest arrives")
            }
            try await PurchasingStore.markCancelled(po, connection: tx.connection, logger: tx.logger)
            return (try await PurchasingStore.purchaseOrder(po, connection: tx.connection, logger: tx.logger)!, false)
        }
        return replay ? try Response.replayed(view) : try Response.json(view)
    }
}
