import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// What `inventory.lines-cancelled` does in the warehouse: the units inventory says this warehouse
/// holds for the order stop while their fulfillment order is not yet being picked (waiting for a
/// wave, awaiting payment, or picked and not packed: picked units go back to their bins). A line
/// left with no units is dropped and a fulfillment order left with no lines is cancelled.
/// On a released wave the units still on the shelf stop too (their pick tasks shrink).
/// `fulfillment.cancelled` (reason "line_cancelled", with the cancellation id) tells inventory to
/// release exactly the stopped units and after-sales to refund them; units already in a picker's
/// tote ("picking_started") or packed ("already_packed") are refused
/// (`fulfillment.line-cancel-refused`) and ship. Invariant: one answer per (cancellation,
/// warehouse); stopped plus refused units are exactly the units asked.
enum FulfillmentLineCancellation {
    static func apply(_ cancellations: [(body: InventoryLinesCancelled, event: EventEnvelope)], now: Date, context: TransactionContext) async throws {
        for (cancellation, event) in cancellations {
            for (warehouse, asked) in Dictionary(grouping: cancellation.inWarehouses.filter { $0.quantity > 0 }, by: \.warehouseId).sorted(by: { $0.key < $1.key }) {
                try await answer(cancellation, warehouse: warehouse, asked: asked, causedBy: event, now: now, context: context)
            }
        }
    }

    private struct StoredLine {
        var quantity: Int
        var picked: Int
        var short: Int
    }

    private static func answer(_ cancellation: InventoryLinesCancelled, warehouse: String, asked: [StockAllocation], causedBy event: EventEnvelope,
                               now: Date, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        let claimed = try await connection.query("""
            INSERT INTO line_cancellation_answers (cancellation_id, warehouse_code, order_id, stopped, refused, answered_at)
            VALUES (\(cancellation.cancellationId), \(warehouse), \(cancellation.orderID), 0, 0, \(now)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in claimed.decode(Int.self) { isNew = true }
        guard isNew else { return }

        let rows = try await connection.query("""
            SELECT f.id, f.status, l.line_number, l.quantity, l.picked, l.short FROM fulfillment_orders f
            JOIN fulfillment_lines l ON l.fulfillment_order_id = f.id
            WHERE f.order_id = \(cancellation.orderID) AND f.warehouse_code = \(warehouse) AND f.status <> 'cancelled'
            ORDER BY f.created_at DESC, f.id DESC FOR UPDATE OF f
            """, logger: logger)
        var orders: [(id: String, status: String)] = []
        var lines: [String: [Int: StoredLine]] = [:]
        for try await (id, status, number, quantity, picked, short) in rows.decode((String, String, Int, Int, Int, Int).self) {
            if !orders.contains(where: { $0.id == id }) { orders.append((id, status)) }
            lines[id, default: [:]][number] = StoredLine(quantity: quantity, picked: picked, short: short)
        }

        var stopped: [String: [ParcelLine]] = [:]
        var refused: [(line: ParcelLine, reason: String)] = []
        var waves = Set<Int64>()
        for request in asked {
            var left = request.quantity
            for order in orders where left > 0 {
                guard let line = lines[order.id]?[request.lineNumber], line.quantity - line.short > 0 else { continue }
                let take = min(left, line.quantity - line.short)
                switch order.status {
                case "awaiting_payment", "open", "picked":
                    lines[order.id]?[request.lineNumber] = StoredLine(quantity: line.quantity - take, picked: min(line.picked, line.quantity - take - line.short), short: line.short)
                    stopped[order.id, default: []].append(ParcelLine(lineNumber: request.lineNumber, sku: request.sku, quantity: take))
                case "picking":
                    // Units still on the shelf stop (their pick tasks shrink); units in the picker's tote ship.
                    let unpicked = try await stopUnpicked(order.id, lineNumber: request.lineNumber, units: take, now: now, connection: connection, logger: logger)
                    if unpicked.units > 0 {
                        lines[order.id]?[request.lineNumber] = StoredLine(quantity: line.quantity - unpicked.units, picked: line.picked, short: line.short)
                        stopped[order.id, default: []].append(ParcelLine(lineNumber: request.lineNumber, sku: request.sku, quantity: unpicked.units))
                        waves.formUnion(unpicked.waves)
                    }
                    if take > unpicked.units {
                        refused.append((ParcelLine(lineNumber: request.lineNumber, sku: request.sku, quantity: take - unpicked.units), "picking_started"))
                    }
                default:
                    refused.append((ParcelLine(lineNumber: request.lineNumber, sku: request.sku, quantity: take), "already_packed"))
                }
                left -= take
            }
            if left > 0 {
                // Not held here any more (short-picked and sourced elsewhere): nothing to stop.
                logger.warning("line cancellation asked for units this warehouse does not hold", metadata: [
                    "orderId": "\(cancellation.orderID)", "warehouse": "\(warehouse)", "line": "\(request.lineNumber)", "units": "\(left)"])
                refused.append((ParcelLine(lineNumber: request.lineNumber, sku: request.sku, quantity: left), "not_held"))
            }
        }

        for (id, stoppedLines) in stopped.sorted(by: { $0.key < $1.key }) {
            let numbers = Set(stoppedLines.map(\.lineNumber))
            for number in numbers.sorted() {
                guard let line = lines[id]?[number] else { continue }
                if line.quantity == 0 {
                    try await connection.query("DELETE FROM fulfillment_lines WHERE fulfillment_order_id = \(id) AND line_number = \(number)", logger: logger)
                } else {
                    try await connection.query("""
                        UPDATE fulfillment_lines SET quantity = \(line.quantity), picked = \(line.picked) WHERE fulfillment_order_id = \(id) AND line_number = \(number)
                        """, logger: logger)
                }
            }
            try await connection.query("""
                UPDATE fulfillment_orders SET status = 'cancelled', cancelled_at = \(now), blocked_reason = NULL
                WHERE id = \(id) AND NOT EXISTS (SELECT 1 FROM fulfillment_lines WHERE fulfillment_order_id = \(id))
                """, logger: logger)
            // A picking order whose remaining tasks are all done now is picked (its wave may be complete).
            if !waves.isEmpty { _ = try await PickWave.settle(orders: [id], waves: Array(waves), now: now, connection: connection, logger: logger) }
            try context.emit(FulfillmentCancelled(fulfillmentOrderId: id, orderID: cancellation.orderID, warehouseId: warehouse, lines: stoppedLines,
                                                  reasonCode: "line_cancelled", cancellationId: cancellation.cancellationId, cancelledAt: now),
                             orderID: cancellation.orderID, topic: TopicCatalogue.fulfillmentEvents, causedBy: event)
        }
        for (reason, group) in Dictionary(grouping: refused, by: \.reason).sorted(by: { $0.key < $1.key }) {
            logger.info("line cancellation refused", metadata: ["orderId": "\(cancellation.orderID)", "warehouse": "\(warehouse)", "reason": "\(reason)"])
            try context.emit(FulfillmentLineCancelRefused(cancellationId: cancellation.cancellationId, orderID: cancellation.orderID, warehouseId: warehouse,
                                                          lines: group.map(\.line), reasonCode: reason, refusedAt: now),
                             orderID: cancellation.orderID, topic: TopicCatalogue.fulfillmentEvents, causedBy: event)
        }
        let stoppedUnits = stopped.values.joined().reduce(0) { $0 + $1.quantity }
        let refusedUnits = refused.reduce(0) { $0 + $1.line.quantity }
        try await connection.query("""
            UPDATE line_cancellation_answers SET stopped = \(stoppedUnits), refused = \(refusedUnits)
            WHERE cancellation_id = \(cancellation.cancellationId) AND warehouse_code = \(warehouse)
            """, logger: logger)
    }

    /// Shrinks the open pick tasks of a line by up to `units` units not yet picked (newest tasks
    /// first); a task left with nothing to pick is done (or short, or cancelled when nothing was
    /// picked from it). Returns the units stopped and the waves touched.
    private static func stopUnpicked(_ fulfillmentOrderID: String, lineNumber: Int, units: Int, now: Date,
                                     connection: PostgresConnection, logger: Logger) async throws -> (units: Int, waves: Set<Int64>) {
        let rows = try await connection.query("""
            SELECT id, wave_id, quantity, picked, short FROM pick_tasks
            WHERE fulfillment_order_id = \(fulfillmentOrderID) AND line_number = \(lineNumber) AND status = 'open' ORDER BY id DESC FOR UPDATE
            """, logger: logger)
        var tasks: [(id: Int64, wave: Int64, quantity: Int, picked: Int, short: Int)] = []
        for try await row in rows.decode((Int64, Int64, Int, Int, Int).self) { tasks.append(row) }
        var left = units
        var waves = Set<Int64>()
        for task in tasks where left > 0 {
            let remaining = task.quantity - task.picked - task.short
            let take = min(left, remaining)
            guard take > 0 else { continue }
            if take < remaining {
                try await connection.query("UPDATE pick_tasks SET quantity = quantity - \(take), updated_at = \(now) WHERE id = \(task.id)", logger: logger)
            } else if task.picked + task.short > 0 {
                try await connection.query("""
                    UPDATE pick_tasks SET quantity = picked + short, status = CASE WHEN short > 0 THEN 'short' ELSE 'done' END, updated_at = \(now) WHERE id = \(task.id)
                    """, logger: logger)
            } else {
                try await connection.query("UPDATE pick_tasks SET status = 'cancelled', updated_at = \(now) WHERE id = \(task.id)", logger: logger)
            }
            waves.insert(task.wave)
            left -= take
        }
        return (units - left, waves)
    }
}
