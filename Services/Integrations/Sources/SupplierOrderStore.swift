import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of the purchase orders sent to suppliers. Invariant: a purchase order is recorded once; a
/// claim leases rows (another sender skips them) and counts an attempt whose outcome never came.
enum SupplierOrderStore {
    static func record(_ order: PurchaseOrderApproved, eventID: UUID, connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try EventCoding.encode(order), as: UTF8.self)
        try await connection.query("""
            INSERT INTO supplier_orders (po_number, event_id, supplier_code, body, status, next_attempt_at)
            VALUES (\(order.poNumber), \(eventID), \(order.supplierCode), \(body)::jsonb, 'pending', now())
            ON CONFLICT (po_number) DO NOTHING
            """, logger: logger)
    }

    /// A leased row: the order as approved, or why its stored body no longer decodes (the row
    /// then fails with that reason instead of being sent half-read).
    struct Claim: Sendable {
        var poNumber: String
        var order: Result<PurchaseOrderApproved, DecodeFailure>
        var attempt: Int
        var unknownOutcomes: Int
    }

    struct DecodeFailure: Error, Sendable {
        var reason: String
    }

    static func claimDue(limit: Int, leaseSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> [Claim] {
        let rows = try await connection.query("""
            UPDATE supplier_orders SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)::int),
                   unknown_outcomes = unknown_outcomes + (call_started_at IS NOT NULL)::int, call_started_at = now(), updated_at = now()
            WHERE po_number IN (SELECT po_number FROM supplier_orders WHERE status = 'pending' AND next_attempt_at <= now()
                                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING po_number, body::text, attempts, unknown_outcomes
            """, logger: logger)
        var claims: [Claim] = []
        for try await (po, body, attempts, unknown) in rows.decode((String, String, Int, Int).self) {
            let order: Result<PurchaseOrderApproved, DecodeFailure>
            do { order = .success(try EventCoding.decode(PurchaseOrderApproved.self, from: Array(body.utf8))) } catch {
                order = .failure(DecodeFailure(reason: String(String(describing: error).prefix(200))))
            }
            claims.append(Claim(poNumber: po, order: order, attempt: attempts, unknownOutcomes: unknown))
        }
        return claims
    }

    enum Outcome: Sendable {
        case sent(messageID: String)
        case retry(afterMilliseconds: Int, error: String)
        case failed(error: String)
    }

    static func apply(_ outcome: Outcome, to po: String, connection: PostgresConnection, logger: Logger) async throws {
        switch outcome {
        case .sent(let id):
            try await connection.query("""
                UPDATE supplier_orders SET status = 'sent', provider_message_id = \(id), sent_at = now(), call_started_at = NULL, last_error = NULL, updated_at = now()
                WHERE po_number = \(po)
                """, logger: logger)
        case .retry(let wait, let error):
            try await connection.query("""
                UPDATE supplier_orders SET next_attempt_at = now() + make_interval(secs => \(Double(wait) / 1_000)::float8), call_started_at = NULL,
                       last_error = \(String(error.prefix(300))), updated_at = now()
                WHERE po_number = \(po)
                """, logger: logger)
        case .failed(let error):
            try await connection.query("""
                UPDATE supplier_orders SET status = 'failed', call_started_at = NULL, last_error = \(String(error.prefix(300))), updated_at = now() WHERE po_number = \(po)
                """, logger: logger)
        }
    }

    /// One purchase order's sending, for ops.
    struct View: Codable, Sendable {
        var poNumber: String
        var supplierCode: String
        var status: String
        var attempts: Int
        var lastError: String?
        var sentAt: Date?
    }

    static func list(status: String?, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        let rows = try await connection.query("""
            SELECT po_number, supplier_code, status, attempts, last_error, sent_at FROM supplier_orders
            WHERE \(status)::text IS NULL OR status = \(status)::text ORDER BY created_at DESC LIMIT 200
            """, logger: logger)
        var found: [View] = []
        for try await (po, supplier, status, attempts, error, sent) in rows.decode((String, String, String, Int, String?, Date?).self) {
            found.append(View(poNumber: po, supplierCode: supplier, status: status, attempts: attempts, lastError: error, sentAt: sent))
        }
        return found
    }
}
