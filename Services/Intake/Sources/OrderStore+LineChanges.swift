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

    /// Units cancelled so far (less what warehouses refused), by line number, and how many cancellations the order had.
    static func lineCancellations(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (units: [Int: Int], count: Int) {
        let rows = try await connection.query("""
            SELECT line_number, sum(quantity - refused)::int8, (SELECT count(DISTINCT cancellation_id) FROM line_cancellations WHERE order_id = \(orderID))::int8 FROM line_cancellations
            WHERE order_id = \(orderID) GROUP BY line_number
            """, logger: logger)
        var units: [Int: Int] = [:], count = 0
        for try await (line, quantity, cancellations) in rows.decode((Int, Int, Int).self) {
            units[line] = quantity
            count = cancellations
        }
        return (units, count)
    }

    /// A warehouse refused units of a cancellation (already in a tote, or packed): they count as the line's again.
    static func applyLineCancelRefusal(_ refused: FulfillmentLineCancelRefused, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE line_cancellations c SET refused = least(c.quantity, c.refused + u.q)
            FROM unnest(\(refused.lines.map { Int64($0.lineNumber) })::int8[], \(refused.lines.map { Int64($0.quantity) })::int8[]) AS u(l, q)
            WHERE c.cancellation_id = \(refused.cancellationId) AND c.line_number = u.l
            """, logger: logger)
    }

    /// The cancellation an earlier request with this id made: its id and units per line.
    static func lineCancellation(of orderID: String, requestID: String, connection: PostgresConnection, logger: Logger) async throws -> (id: String, lines: [(line: Int, quantity: Int)])? {
        let rows = try await connection.query("""
            SELECT cancellation_id, line_number, quantity FROM line_cancellations WHERE order_id = \(orderID) AND request_id = \(requestID) ORDER BY line_number
            """, logger: logger)
        var id: String?
        var lines: [(line: Int, quantity: Int)] = []
        for try await (cancellation, line, quantity) in rows.decode((String, Int, Int).self) {
            id = cancellation
            lines.append((line, quantity))
        }
        return id.map { ($0, lines) }
    }

    static func recordLineCancellation(_ cancelled: OrderLinesCancelled, requestID: String? = nil, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO line_cancellations (cancellation_id, order_id, line_number, quantity, reason, requested_by, cancelled_at, request_id)
            SELECT \(cancelled.cancellationId), \(cancelled.orderID), l, q, \(cancelled.reason), \(cancelled.requestedBy), \(cancelled.cancelledAt), \(requestID)
            FROM unnest(\(cancelled.lines.map { Int64($0.lineNumber) })::int8[], \(cancelled.lines.map { Int64($0.quantity) })::int8[]) AS u(l, q)
            """, logger: logger)
    }
}

/// The SQL of line substitutions: units of each line replaced (requested or done; refused ones
/// give their units back), recording a request, and applying inventory's answer (an accepted
/// replacement joins the stored order's lines).
extension OrderStore {
    /// Units of each line given to substitutions (`units`: requested or done; `done`: accepted, their
    /// replacement already among the order's lines), how many there were, the highest replacement line.
    static func lineSubstitutions(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Substitutions {
        let rows = try await connection.query("""
            SELECT line_number, quantity, replacement_line, status, ((replacement->'unitPrice'->>'minorUnits')::int8 * quantity
                   - (replacement->'allocatedDiscount'->>'minorUnits')::int8 + difference_refund_fen)
            FROM line_substitutions WHERE order_id = \(orderID)
            """, logger: logger)
        var found = Substitutions()
        for try await (line, quantity, replacementLine, status, replacedPaid) in rows.decode((Int, Int, Int, String, Int64).self) {
            found.count += 1
            found.highestLine = max(found.highestLine, replacementLine)
            if status != "refused" { found.units[line, default: 0] += quantity }
            if status == "substituted" {
                found.done[line, default: 0] += quantity
                found.donePaidFen += replacedPaid
            }
        }
        return found
    }

    /// An order's substitutions as the routes need them.
    struct Substitutions: Sendable {
        /// Units of each line given to substitutions requested or done (refused ones are the line's again).
        var units: [Int: Int] = [:]
        /// Units of each line replaced for good (their replacement is among the order's lines).
        var done: [Int: Int] = [:]
        /// What the units replaced for good had paid (their replacements' paid amounts plus the refunds).
        var donePaidFen: Int64 = 0
        var count = 0
        var highestLine = 0
    }

    /// The substitution an earlier request with this id made: its id, replacement line and refund.
    static func substitution(of orderID: String, requestID: String, connection: PostgresConnection, logger: Logger) async throws -> (id: String, replacement: OrderLine, refundFen: Int64)? {
        let rows = try await connection.query("""
            SELECT substitution_id, replacement::text, difference_refund_fen FROM line_substitutions WHERE order_id = \(orderID) AND request_id = \(requestID)
            """, logger: logger)
        for try await (id, replacement, refund) in rows.decode((String, String, Int64).self) {
            return (id, try EventCoding.decode(OrderLine.self, from: Array(replacement.utf8)), refund)
        }
        return nil
    }

    static func recordSubstitution(_ substitution: OrderLineSubstituted, requestID: String? = nil, connection: PostgresConnection, logger: Logger) async throws {
        let replacement = String(decoding: try EventCoding.encode(substitution.replacement), as: UTF8.self)
        try await connection.query("""
            INSERT INTO line_substitutions (substitution_id, order_id, line_number, quantity, replacement, replacement_line, difference_refund_fen, status,
                                            reason, requested_by, requested_at, request_id)
            VALUES (\(substitution.substitutionId), \(substitution.orderID), \(substitution.replaced.lineNumber), \(substitution.replaced.quantity),
                    \(replacement)::jsonb, \(substitution.replacement.lineNumber), \(substitution.differenceRefund.minorUnits), 'requested',
                    \(substitution.reason), \(substitution.requestedBy), \(substitution.substitutedAt), \(requestID))
            """, logger: logger)
    }

    /// Inventory's answer: the substitution is done (its replacement line added to the stored order,
    /// once) or refused (its units count as the line's again).
    static func applySubstitutionAnswer(_ answer: InventoryLineSubstituted, connection: PostgresConnection, logger: Logger) async throws {
        let updated = try await connection.query("""
            UPDATE line_substitutions SET status = \(answer.accepted ? "substituted" : "refused")
            WHERE substitution_id = \(answer.substitutionId) AND status = 'requested' RETURNING 1
            """, logger: logger)
        var changed = false
        for try await _ in updated.decode(Int.self) { changed = true }
        guard changed, answer.accepted else { return }
        let line = String(decoding: try EventCoding.encode(answer.replacement), as: UTF8.self)
        try await connection.query("""
            UPDATE orders SET body = jsonb_set(body, '{lines}', (body->'lines') || jsonb_build_array(\(line)::jsonb)), updated_at = now()
            WHERE order_id = \(answer.orderID) AND jsonb_typeof(body->'lines') = 'array'
              AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(body->'lines') AS l WHERE (l->>'lineNumber')::int = \(answer.replacement.lineNumber))
            """, logger: logger)
    }
}
