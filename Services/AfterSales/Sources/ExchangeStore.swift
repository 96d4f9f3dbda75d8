import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of exchanges (`exchanges`). Invariant: every change runs in the caller's transaction on a
/// row it locked with `locked(_:)`; an exchange id is `EXC-<order>-<n>`, n counting the order's
/// exchanges; an exchange closes once the original is back and the replacement has shipped.
enum ExchangeStore {
    /// One exchange as customer service sees it, or nil.
    static func find(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> ExchangeRoutes.ExchangeView? {
        let rows = try await connection.query("""
            SELECT order_id, original_line, original_sku, quantity, replacement_line, replacement_sku, status, requested_by, requested_at,
                   replacement_warehouse, replacement_tracking, original_received_at, original_condition, return_id, closed_at
            FROM exchanges WHERE exchange_id = \(id)
            """, logger: logger)
        for try await row in rows {
            let (order, line, sku, quantity, replacementLine, replacementSku, status, by, at) =
                try row.decode((String, Int, String, Int, Int, String, String, String, Date).self, context: .default)
            let columns = row.makeRandomAccess()
            return ExchangeRoutes.ExchangeView(exchangeId: id, orderId: order, originalLineNumber: line, originalSku: sku, quantity: quantity,
                                               replacementLineNumber: replacementLine, replacementSku: replacementSku, status: status, requestedBy: by, requestedAt: at,
                                replacementWarehouse: try columns[9].decode(String?.self), replacementTracking: try columns[10].decode(String?.self),
                                originalReceivedAt: try columns[11].decode(Date?.self), originalCondition: try columns[12].decode(String?.self),
                                returnId: try columns[13].decode(String?.self), closedAt: try columns[14].decode(Date?.self),
                                offer: status == "replacementUnavailable" ? "refund: POST /v1/aftersales/exchanges/\(id)/refund" : nil)
        }
        return nil
    }

    /// The exchange, its row locked, or nil.
    static func locked(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> ExchangeRoutes.ExchangeView? {
        let rows = try await connection.query("SELECT 1 FROM exchanges WHERE exchange_id = \(id) FOR UPDATE", logger: logger)
        var exists = false
        for try await _ in rows.decode(Int.self) { exists = true }
        guard exists else { return nil }
        return try await find(id, connection: connection, logger: logger)
    }

    /// The exchange an earlier request with this idempotency key opened, if any.
    static func opened(order: String, requestID: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("SELECT exchange_id FROM exchanges WHERE order_id = \(order) AND request_id = \(requestID)", logger: logger)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    /// The sequence number the order's next exchange gets.
    static func nextSequence(order: String, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let count = try await connection.query("SELECT count(*)::int8 FROM exchanges WHERE order_id = \(order)", logger: logger)
        var sequence = 1
        for try await existing in count.decode(Int.self) { sequence = existing + 1 }
        return sequence
    }

    static func open(id: String, order: String, requestID: String?, originalLine: Int, originalSKU: String, quantity: Int, replacementLine: Int, replacementSKU: String,
                     by user: String, at: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO exchanges (exchange_id, order_id, request_id, original_line, original_sku, quantity, replacement_line, replacement_sku, status, requested_by, requested_at)
            VALUES (\(id), \(order), \(requestID), \(originalLine), \(originalSKU), \(quantity), \(replacementLine), \(replacementSKU), 'requested', \(user), \(at))
            """, logger: logger)
    }

    /// The original is back: closes the exchange when the replacement has shipped.
    static func recordOriginalReceipt(_ id: String, condition: ReturnedItemCondition, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE exchanges SET original_received_at = \(now), original_condition = \(condition.rawValue),
                   status = CASE WHEN status = 'replacementShipped' THEN 'closed' ELSE status END,
                   closed_at = CASE WHEN status = 'replacementShipped' THEN \(now) ELSE NULL END
            WHERE exchange_id = \(id)
            """, logger: logger)
    }

    static func markConvertedToRefund(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE exchanges SET status = 'convertedToRefund' WHERE exchange_id = \(id)", logger: logger)
    }

    static func link(_ id: String, toReturn returnID: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE exchanges SET return_id = \(returnID) WHERE exchange_id = \(id)", logger: logger)
    }
}
