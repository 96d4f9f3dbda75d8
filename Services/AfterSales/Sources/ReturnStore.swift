import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of return authorizations (`returns`). Invariant: every change runs in the caller's
/// transaction on a row it locked with `locked(_:)`, so concurrent decisions, shipments and
/// receipts of one return serialize; an RMA id is `RMA-<order>-<n>`, n counting the order's returns.
enum ReturnStore {
    /// The return, its row locked, or nil.
    static func locked(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> ReturnView? {
        let rows = try await connection.query("SELECT 1 FROM returns WHERE return_id = \(id) FOR UPDATE", logger: logger)
        var exists = false
        for try await _ in rows.decode(Int.self) { exists = true }
        guard exists else { return nil }
        return try await ReturnView.load(id, connection: connection, logger: logger)
    }

    /// The return an earlier request with this idempotency key opened, if any.
    static func opened(order: String, requestID: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("SELECT return_id FROM returns WHERE order_id = \(order) AND request_id = \(requestID)", logger: logger)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    /// The order id of the till sale with this POS channel order id ("<store>:<till>:<receipt>"), if any.
    static func tillSale(channelOrderID: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("""
            SELECT order_id FROM orders WHERE channel = 'pos' AND body->>'channelOrderID' = \(channelOrderID)
            """, logger: logger)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    /// The id the order's next return gets.
    static func nextID(order: String, connection: PostgresConnection, logger: Logger) async throws -> String {
        let count = try await connection.query("SELECT count(*)::int8 FROM returns WHERE order_id = \(order)", logger: logger)
        var sequence = 1
        for try await existing in count.decode(Int.self) { sequence = existing + 1 }
        return "RMA-\(order)-\(sequence)"
    }

    /// A new return, approved at once (by `automatic`) or waiting for a decision.
    struct Opening: Sendable {
        var id: String
        var orderID: String
        var requestID: String?
        var reason: ReturnAuthorization.Reason
        var approved: Bool
        var lines: [ReturnAuthorization.Line]
        var requestedBy: String
        var note: String?
        var at: Date
        var exchangeID: String?
        /// The counter that took a till sale back ("<store>/<till>/<cashier>"); its cashier approved it.
        var till: String? = nil
    }

    static func open(_ opening: Opening, connection: PostgresConnection, logger: Logger) async throws {
        let encoded = String(decoding: try EventCoding.encode(opening.lines), as: UTF8.self)
        try await connection.query("""
            INSERT INTO returns (return_id, order_id, request_id, reason, status, lines, requested_by, note, requested_at, decided_by, decided_at, exchange_id, till)
            VALUES (\(opening.id), \(opening.orderID), \(opening.requestID), \(opening.reason.rawValue), \(opening.approved ? "approved" : "requested"), \(encoded)::jsonb,
                    \(opening.requestedBy), \(opening.note), \(opening.at), \(opening.approved ? (opening.till == nil ? "automatic" : opening.requestedBy) : nil),
                    \(opening.approved ? opening.at : nil), \(opening.exchangeID), \(opening.till))
            """, logger: logger)
    }

    static func decide(_ id: String, _ status: ReturnAuthorization.Status, by user: String, note: String?, at: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE returns SET status = \(status.rawValue), decided_by = \(user), decision_note = \(note), decided_at = \(at) WHERE return_id = \(id)
            """, logger: logger)
    }

    static func recordShipment(_ id: String, carrier: String, trackingNumber: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE returns SET status = 'inTransit', return_carrier = \(carrier), return_tracking = \(trackingNumber) WHERE return_id = \(id)
            """, logger: logger)
    }

    /// `inspected`: the inspection as the warehouse reported it (JSON).
    static func markReceived(_ id: String, warehouse: String, inspected: String, at: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE returns SET status = 'received', warehouse_code = \(warehouse), inspected = \(inspected)::jsonb,
                   received_at = \(at) WHERE return_id = \(id)
            """, logger: logger)
    }

    static func markRefunded(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE returns SET status = 'refunded' WHERE return_id = \(id)", logger: logger)
    }
}
