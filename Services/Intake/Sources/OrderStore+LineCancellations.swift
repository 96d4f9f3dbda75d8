import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// The SQL of line cancellations: what each line of an order has lost so far, and recording a new
/// cancellation. Invariant: called inside the transaction that holds the order row's lock
/// (`lockedStatusAndChannel`), so two cancellations of one order never both take the same units.
extension OrderStore {
    /// The stored order (personal data still sealed: only lines and prices are read); nil for a
    /// rejected draft, which stores no order.
    static func storedOrder(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Order? {
        let rows = try await connection.query("SELECT body::text FROM orders WHERE order_id = \(orderID)", logger: logger)
        for try await body in rows.decode(String.self) { return try? EventCoding.decode(Order.self, from: Array(body.utf8)) }
        return nil
    }

    /// Units cancelled so far, by line number, and how many cancellations the order had.
    static func lineCancellations(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (units: [Int: Int], count: Int) {
        let rows = try await connection.query("""
            SELECT line_number, sum(quantity)::int8, (SELECT count(DISTINCT cancellation_id) FROM line_cancellations WHERE order_id = \(orderID))::int8 FROM line_cancellations
            WHERE order_id = \(orderID) GROUP BY line_number
            """, logger: logger)
        var units: [Int: Int] = [:], count = 0
        for try await (line, quantity, cancellations) in rows.decode((Int, Int, Int).self) {
            units[line] = quantity
            count = cancellations
        }
        return (units, count)
    }

    static func recordLineCancellation(_ cancelled: OrderLinesCancelled, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO line_cancellations (cancellation_id, order_id, line_number, quantity, reason, requested_by, cancelled_at)
            SELECT \(cancelled.cancellationId), \(cancelled.orderID), l, q, \(cancelled.reason), \(cancelled.requestedBy), \(cancelled.cancelledAt)
            FROM unnest(\(cancelled.lines.map { Int64($0.lineNumber) })::int8[], \(cancelled.lines.map { Int64($0.quantity) })::int8[]) AS u(l, q)
            """, logger: logger)
    }
}
