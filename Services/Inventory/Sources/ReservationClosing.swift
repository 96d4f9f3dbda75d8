import Foundation
import Logging
import PostgresNIO

/// Closes up to `units` of an order line's active reservations in one warehouse, oldest first,
/// as `status` (`shipped`, `short` or `released`); a reservation closed in part is split, so every row keeps
/// one status. Returns the units closed (never more than were active). Invariant: the caller
/// books the matching ledger movement in the same transaction.
enum ReservationClosing {
    static func close(orderID: String, lineNumber: Int, warehouse: String, units: Int, as status: String, now: Date,
                      connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            SELECT id, quantity FROM reservations
            WHERE order_id = \(orderID) AND line_number = \(lineNumber) AND warehouse_code = \(warehouse) AND status = 'active'
            ORDER BY id
            """, logger: logger)
        var active: [(Int64, Int)] = []
        for try await row in rows.decode((Int64, Int).self) { active.append(row) }
        var left = units
        for (id, quantity) in active where left > 0 {
            let take = min(left, quantity)
            if take == quantity {
                try await connection.query("UPDATE reservations SET status = \(status), closed_at = \(now) WHERE id = \(id)", logger: logger)
            } else {
                try await connection.query("UPDATE reservations SET quantity = quantity - \(take) WHERE id = \(id)", logger: logger)
                try await connection.query("""
                    INSERT INTO reservations (order_id, line_number, sku, warehouse_code, quantity, status, announced, created_at, closed_at)
                    SELECT order_id, line_number, sku, warehouse_code, \(take), \(status), announced, created_at, \(now) FROM reservations WHERE id = \(id)
                    """, logger: logger)
            }
            left -= take
        }
        return units - left
    }
}
