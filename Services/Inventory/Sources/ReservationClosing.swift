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
        var batch = try await Batch.load([Line(orderID: orderID, lineNumber: lineNumber, warehouse: warehouse)], connection: connection, logger: logger)
        let closed = batch.close(Line(orderID: orderID, lineNumber: lineNumber, warehouse: warehouse), units: units)
        try await batch.write(as: status, now: now, connection: connection, logger: logger)
        return closed
    }

    /// An order line's reservations in one warehouse.
    struct Line: Hashable {
        var orderID: String
        var lineNumber: Int
        var warehouse: String
    }

    /// The active reservations of several order lines, loaded in one statement and closed in
    /// memory in call order (each line oldest first), then written in one statement plus two per
    /// partly closed reservation. Closing through one batch has the same effect as calling
    /// `close` for each line in the same order.
    struct Batch {
        private var active: [Line: [(id: Int64, quantity: Int)]] = [:]
        private var fullyClosed: [Int64] = []
        private var partlyClosed: [(id: Int64, units: Int)] = []

        static func load(_ lines: [Line], connection: PostgresConnection, logger: Logger) async throws -> Batch {
            var batch = Batch()
            let unique = Array(Set(lines))
            guard !unique.isEmpty else { return batch }
            let rows = try await connection.query("""
                SELECT r.id, r.order_id, r.line_number, r.warehouse_code, r.quantity
                FROM unnest(\(unique.map(\.orderID))::text[], \(unique.map { Int64($0.lineNumber) })::int8[], \(unique.map(\.warehouse))::text[]) AS k(o, l, w)
                JOIN reservations r ON r.order_id = k.o AND r.warehouse_code = k.w AND r.line_number = k.l AND r.status = 'active'
                ORDER BY r.id
                """, logger: logger)
            for try await (id, orderID, lineNumber, warehouse, quantity) in rows.decode((Int64, String, Int, String, Int).self) {
                batch.active[Line(orderID: orderID, lineNumber: lineNumber, warehouse: warehouse), default: []].append((id, quantity))
            }
            return batch
        }

        /// Closes up to `units` of the line's still-active reservations; returns the units closed.
        mutating func close(_ line: Line, units: Int) -> Int {
            var left = units
            var remaining = active[line] ?? []
            while left > 0, let first = remaining.first {
                let take = min(left, first.quantity)
                if take == first.quantity {
                    fullyClosed.append(first.id)
                    remaining.removeFirst()
                } else {
                    partlyClosed.append((first.id, take))
                    remaining[0].quantity -= take
                }
                left -= take
            }
            active[line] = remaining
            return units - left
        }

        /// Writes the closures as `status`.
        func write(as status: String, now: Date, connection: PostgresConnection, logger: Logger) async throws {
            for (id, take) in partlyClosed {
                try await connection.query("UPDATE reservations SET quantity = quantity - \(take) WHERE id = \(id)", logger: logger)
                try await connection.query("""
                    INSERT INTO reservations (order_id, line_number, sku, warehouse_code, quantity, status, announced, created_at, closed_at)
                    SELECT order_id, line_number, sku, warehouse_code, \(take), \(status), announced, created_at, \(now) FROM reservations WHERE id = \(id)
                    """, logger: logger)
            }
            if !fullyClosed.isEmpty {
                try await connection.query("UPDATE reservations SET status = \(status), closed_at = \(now) WHERE id = ANY(\(fullyClosed)::int8[])", logger: logger)
            }
        }
    }
}
