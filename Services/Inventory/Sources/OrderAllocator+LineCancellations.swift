import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Inventory is the arbiter of a line cancellation (`order.lines-cancelled`): per line it takes the
/// units from what no warehouse works on yet, in this order: open backorders, then reservations
/// not yet announced (both cancelled for good, their stock back at once), then reservations a
/// warehouse was told about, which `inventory.lines-cancelled` asks that warehouse to stop (its
/// `fulfillment.cancelled` releases them, see `releaseStoppedWork`). A cancellation read before
/// the order's verification is remembered and lowers the demand when the order is allocated (read
/// by `allocate`'s one look-up). A
/// whole-shipment order that waited only for the cancelled backorder is announced at once.
/// Invariant: one answer per cancellation; never more units than the line had left.
extension OrderAllocator {
    /// Applies one line cancellation; returns the SKUs whose stock came back.
    func cancelLines(_ cancellation: OrderLinesCancelled, causedBy event: EventEnvelope, now: Date) async throws -> Set<String> {
        let lines = cancellation.lines.filter { $0.quantity > 0 }
        let rows = try await connection.query("SELECT status FROM orders WHERE order_id = \(cancellation.orderID) FOR UPDATE", logger: logger)
        var status: String?
        for try await value in rows.decode(String.self) { status = value }
        var wholeCancelled = false
        if status == nil {
            let tombstones = try await connection.query("SELECT 1 FROM order_cancellations WHERE order_id = \(cancellation.orderID)", logger: logger)
            for try await _ in tombstones.decode(Int.self) { wholeCancelled = true }
        }
        let open = status == "waiting" || status == "allocated"
        let beforeAllocation = status == nil && !wholeCancelled
        let recorded = try await connection.query("""
            INSERT INTO line_cancellations (cancellation_id, order_id, line_number, quantity, before_allocation, cancelled_at)
            SELECT \(cancellation.cancellationId), \(cancellation.orderID), l, q, \(beforeAllocation), \(now)
            FROM unnest(\(lines.map { Int64($0.lineNumber) })::int8[], \(lines.map { Int64($0.quantity) })::int8[]) AS u(l, q)
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in recorded.decode(Int.self) { isNew = true }
        guard isNew else { return [] }

        guard open || beforeAllocation else {
            // Cancelled, rejected, released or sold at the till: the whole order's closure decides.
            try emit(cancellation, released: [], inWarehouses: [], reasonCode: "order_closed", causedBy: event, now: now)
            return []
        }
        guard !beforeAllocation else {
            try emit(cancellation, released: lines, inWarehouses: [], reasonCode: nil, causedBy: event, now: now)
            return []
        }

        var released: [LineQuantity] = [], inWarehouses: [StockAllocation] = [], returned = Set<String>()
        var backordersCancelled = false
        for line in lines {
            var left = line.quantity
            var freed = 0
            // 1. Open backorders, newest first: units never reserved.
            let fromBackorders = try await closeBackorders(orderID: cancellation.orderID, lineNumber: line.lineNumber, units: left, now: now)
            if fromBackorders > 0 { left -= fromBackorders; freed += fromBackorders; backordersCancelled = true }
            // 2. Reservations no warehouse knows about, newest first: released now.
            // 3. Reservations a warehouse was told about: that warehouse is asked to stop them.
            let reservations = try await connection.query("""
                SELECT id, warehouse_code, quantity, announced FROM reservations
                WHERE order_id = \(cancellation.orderID) AND line_number = \(line.lineNumber) AND status = 'active'
                ORDER BY announced, id DESC
                """, logger: logger)
            var active: [(id: Int64, warehouse: String, quantity: Int, announced: Bool)] = []
            for try await row in reservations.decode((Int64, String, Int, Bool).self) { active.append(row) }
            var asked: [String: Int] = [:]
            for reservation in active where left > 0 {
                let take = min(left, reservation.quantity)
                left -= take
                if reservation.announced {
                    asked[reservation.warehouse, default: 0] += take
                    continue
                }
                if take == reservation.quantity {
                    try await connection.query("UPDATE reservations SET status = 'released', closed_at = \(now) WHERE id = \(reservation.id)", logger: logger)
                } else {
                    try await connection.query("UPDATE reservations SET quantity = quantity - \(take) WHERE id = \(reservation.id)", logger: logger)
                    try await connection.query("""
                        INSERT INTO reservations (order_id, line_number, sku, warehouse_code, quantity, status, announced, created_at, closed_at)
                        SELECT order_id, line_number, sku, warehouse_code, \(take), 'released', announced, created_at, \(now) FROM reservations WHERE id = \(reservation.id)
                        """, logger: logger)
                }
                try ledger.record(.release, StockKey(sku: line.sku, warehouse: reservation.warehouse), reserved: -take, cause: .order(cancellation.orderID), reasonCode: "line_cancelled")
                returned.insert(line.sku)
                freed += take
            }
            if freed > 0 { released.append(LineQuantity(lineNumber: line.lineNumber, sku: line.sku, quantity: freed)) }
            for warehouse in asked.keys.sorted() {
                inWarehouses.append(StockAllocation(lineNumber: line.lineNumber, sku: line.sku, warehouseId: warehouse, quantity: asked[warehouse]!))
            }
            if left > 0 {
                // Units already shipped or short-picked: nothing of them can be cancelled any more.
                logger.info("line cancellation found fewer units than asked", metadata: ["orderId": "\(cancellation.orderID)", "line": "\(line.lineNumber)", "missing": "\(left)"])
            }
        }
        try emit(cancellation, released: released, inWarehouses: inWarehouses, reasonCode: nil, causedBy: event, now: now)
        // A whole-shipment order that waited for the cancelled backorder may ship now.
        if backordersCancelled, status == "waiting" {
            try await announce(cancellation.orderID, cause: "line_cancelled", causedBy: event, now: now)
        }
        return returned
    }

    /// Open backorder units of a line a warehouse can still wait for.
    func openBackorderUnits(orderID: String, lineNumber: Int) async throws -> Int {
        let rows = try await connection.query("""
            SELECT coalesce(sum(open_quantity), 0)::int8 FROM backorders WHERE order_id = \(orderID) AND line_number = \(lineNumber) AND status = 'open'
            """, logger: logger)
        for try await units in rows.decode(Int.self) { return units }
        return 0
    }

    /// Closes up to `units` of a line's open backorders, newest first (a partly closed one keeps
    /// what it filled); returns the units closed.
    func closeBackorders(orderID: String, lineNumber: Int, units: Int, now: Date) async throws -> Int {
        let rows = try await connection.query("""
            SELECT id, open_quantity FROM backorders WHERE order_id = \(orderID) AND line_number = \(lineNumber) AND status = 'open' ORDER BY id DESC
            """, logger: logger)
        var open: [(Int64, Int)] = []
        for try await row in rows.decode((Int64, Int).self) { open.append(row) }
        var left = units
        for (id, openUnits) in open where left > 0 {
            let take = min(left, openUnits)
            if take == openUnits {
                try await connection.query("UPDATE backorders SET status = 'cancelled', closed_at = \(now) WHERE id = \(id)", logger: logger)
            } else {
                try await connection.query("UPDATE backorders SET quantity = quantity - \(take), open_quantity = open_quantity - \(take) WHERE id = \(id)", logger: logger)
            }
            left -= take
        }
        return units - left
    }

    private func emit(_ cancellation: OrderLinesCancelled, released: [LineQuantity], inWarehouses: [StockAllocation], reasonCode: String?,
                      causedBy event: EventEnvelope, now: Date) throws {
        try tx.emit(InventoryLinesCancelled(cancellationId: cancellation.cancellationId, orderID: cancellation.orderID, released: released,
                                            inWarehouses: inWarehouses, reasonCode: reasonCode, cancelledAt: now),
                    orderID: cancellation.orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
    }
}
