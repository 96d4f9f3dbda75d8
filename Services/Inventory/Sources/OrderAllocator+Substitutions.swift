import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// A substitution (`order.line-substituted`, 更换款式) replaces units still on backorder: their
/// backorder closes, the replacement line joins the stored order and is sourced like any line
/// (reserved in the nearest warehouses that have it, else backordered), and the order is announced
/// when it may ship. Units no longer on backorder (stock arrived first) are not replaced: the
/// answer says `not_backordered`. Invariant: one answer per substitution (`line_substitutions`).
extension OrderAllocator {
    func substitute(_ request: OrderLineSubstituted, causedBy event: EventEnvelope, now: Date) async throws {
        let orderID = request.orderID
        let rows = try await connection.query("SELECT status, body::text, ships_partially FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
        var found: (String, String, Bool)?
        for try await row in rows.decode((String, String, Bool).self) { found = row }
        var refusal: String?
        if let (status, _, _) = found {
            if status != "waiting" && status != "allocated" { refusal = "order_closed" }
            else if try await openBackorderUnits(orderID: orderID, lineNumber: request.replaced.lineNumber) < request.replaced.quantity { refusal = "not_backordered" }
        } else {
            refusal = "not_backordered"
        }
        let recorded = try await connection.query("""
            INSERT INTO line_substitutions (substitution_id, order_id, accepted, decided_at) VALUES (\(request.substitutionId), \(orderID), \(refusal == nil), \(now))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in recorded.decode(Int.self) { isNew = true }
        guard isNew else { return }
        guard refusal == nil, let (_, body, partial) = found else {
            try tx.emit(InventoryLineSubstituted(request, accepted: false, reasonCode: refusal, decidedAt: now), orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
            return
        }
        var order: Order
        do { order = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8))) } catch {
            throw StoredOrderUnreadable(orderID: orderID, reason: String(describing: error))
        }
        guard !order.lines.contains(where: { $0.lineNumber == request.replacement.lineNumber }) else {
            throw HandlerRejection("order.line-substituted names a replacement line number the order already has")
        }
        _ = try await closeBackorders(orderID: orderID, lineNumber: request.replaced.lineNumber, units: request.replaced.quantity, now: now)
        order.lines.append(request.replacement)
        let sealed = String(decoding: try EventCoding.encode(tx.vault.seal(order)), as: UTF8.self)
        try await connection.query("UPDATE orders SET body = \(sealed)::jsonb, updated_at = now() WHERE order_id = \(orderID)", logger: logger)
        try tx.emit(InventoryLineSubstituted(request, accepted: true, reasonCode: nil, decidedAt: now), orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)

        let options = candidates(for: order)
        let demand = Self.demand(request.replacement)
        let plan = SourcingPlanner(policy: policy).plan([demand], candidates: options, available: available([demand.sku], at: Set(options.map(\.code))))
        try await reserve(plan.allocations, orderID: orderID, now: now)
        try await backorder(plan.shortfalls, of: orderID, shipsPartially: partial, requesting: options, causedBy: event, now: now)
        try await announce(orderID, cause: "substitution", causedBy: event, now: now)
    }
}
