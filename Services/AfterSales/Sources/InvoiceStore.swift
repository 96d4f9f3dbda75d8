import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The invoice ledger's SQL: the issuer's work lists (claimed with `FOR UPDATE SKIP LOCKED`, so
/// replicas never issue the same invoice), gapless numbers per series, and reads for the routes.
/// Invariant: an invoice, its number and the refunds it accounts for are written in one
/// transaction; the unique indexes refuse a second blue invoice per order or red per refund.
enum InvoiceStore {
    /// Settled refunds count: paid back by the provider, or owed in cash. One refund row per refund
    /// (a presale refund's deposit part names the refund it belongs to).
    static let settled = ["succeeded", "owed"]

    /// One order whose buyer asked for an invoice, that has shipped and has no blue invoice yet.
    static func claimShippedWithoutInvoice(connection: PostgresConnection, logger: Logger) async throws -> (orderID: String, body: String)? {
        let rows = try await connection.query("""
            SELECT o.order_id, o.body::text FROM orders o
            WHERE o.body ? 'invoice'
              AND EXISTS (SELECT 1 FROM parcels p WHERE p.order_id = o.order_id)
              AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.order_id AND i.kind = 'blue')
            ORDER BY o.received_at LIMIT 1
            FOR UPDATE OF o SKIP LOCKED
            """, logger: logger)
        for try await (orderID, body) in rows.decode((String, String).self) { return (orderID, body) }
        return nil
    }

    /// Stores a buyer's invoice request made after the sale (a till sale's, at the counter) on the
    /// order's record; `sealed` is the order with the request, sealed as the record keeps it.
    static func recordRequest(_ sealed: Order, connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try EventCoding.encode(sealed), as: UTF8.self)
        try await connection.query("UPDATE orders SET body = \(body)::jsonb WHERE order_id = \(sealed.orderID)", logger: logger)
    }

    /// One settled refund of an order with a blue invoice that no invoice accounts for yet.
    static func claimRefundToCredit(connection: PostgresConnection, logger: Logger) async throws -> (refund: String, blue: String, order: String)? {
        let rows = try await connection.query("""
            SELECT r.detail::text, i.invoice_number, o.body::text
            FROM refunds r
            JOIN invoices i ON i.order_id = r.order_id AND i.kind = 'blue'
            JOIN orders o ON o.order_id = r.order_id
            WHERE r.part_of IS NULL AND r.status = ANY(\(settled)::text[]) AND r.amount_fen > 0
              AND NOT EXISTS (SELECT 1 FROM invoice_refunds x WHERE x.refund_id = r.refund_id)
            ORDER BY r.issued_at LIMIT 1
            FOR UPDATE OF r SKIP LOCKED
            """, logger: logger)
        for try await (refund, blue, order) in rows.decode((String, String, String).self) { return (refund, blue, order) }
        return nil
    }

    /// The order's settled refunds not yet accounted for by any invoice (what a blue invoice leaves out).
    static func settledRefunds(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT r.detail::text FROM refunds r
            WHERE r.order_id = \(orderID) AND r.part_of IS NULL AND r.status = ANY(\(settled)::text[]) AND r.amount_fen > 0
              AND NOT EXISTS (SELECT 1 FROM invoice_refunds x WHERE x.refund_id = r.refund_id)
            ORDER BY r.issued_at
            """, logger: logger)
        var found: [String] = []
        for try await detail in rows.decode(String.self) { found.append(detail) }
        return found
    }

    /// The next number of `series`, taken in the caller's transaction: the series row stays locked
    /// until it commits (a concurrent issuer waits) and a rollback gives the number back.
    static func nextNumber(series: String, connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.query("INSERT INTO invoice_series (series, next_number) VALUES (\(series), 1) ON CONFLICT (series) DO NOTHING", logger: logger)
        let rows = try await connection.query("""
            UPDATE invoice_series SET next_number = next_number + 1 WHERE series = \(series) RETURNING next_number - 1
            """, logger: logger)
        for try await number in rows.decode(Int64.self) { return number }
        throw InvoiceStoreError("invoice series \(series) vanished")
    }

    /// Writes `invoice` (its buyer as stored: sealed) and marks `refundIds` as accounted for by it;
    /// `toPlatform` queues it for the e-invoice platform (else it is issued in the OMS only).
    static func insert(_ invoice: Invoice, accounting refundIds: [String], toPlatform: Bool, connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try EventCoding.encode(invoice), as: UTF8.self)
        try await connection.query("""
            INSERT INTO invoices (invoice_number, series, number, kind, order_id, original_invoice, refund_id, body, total_fen, tax_fen, issued_at, platform_status)
            VALUES (\(invoice.invoiceNumber), \(invoice.series), \(invoice.number), \(invoice.kind.rawValue), \(invoice.orderID),
                    \(invoice.originalInvoiceNumber), \(invoice.refundId), \(body)::jsonb, \(invoice.total.minorUnits), \(invoice.taxTotal.minorUnits), \(invoice.issuedAt),
                    \(toPlatform ? "pending" : "offline"))
            """, logger: logger)
        if !refundIds.isEmpty {
            try await connection.query("""
                INSERT INTO invoice_refunds (refund_id, invoice_number) SELECT r, \(invoice.invoiceNumber) FROM unnest(\(refundIds)::text[]) AS r
                """, logger: logger)
        }
    }

    /// One invoice due for the platform (a red one only once its blue one is there), with the
    /// platform's id of the blue invoice it credits and its attempts so far; claimed until commit.
    static func claimDueSubmission(now: Date, connection: PostgresConnection, logger: Logger) async throws -> (body: String, credits: String?, attempts: Int)? {
        let rows = try await connection.query("""
            SELECT i.body::text, o.platform_id, i.platform_attempts FROM invoices i
            LEFT JOIN invoices o ON o.invoice_number = i.original_invoice
            WHERE i.platform_status = 'pending' AND i.platform_next_at <= \(now)
              AND (i.kind = 'blue' OR o.platform_status = 'submitted')
            ORDER BY i.platform_next_at, i.invoice_number LIMIT 1
            FOR UPDATE OF i SKIP LOCKED
            """, logger: logger)
        for try await (body, credits, attempts) in rows.decode((String, String?, Int).self) { return (body, credits, attempts) }
        return nil
    }

    /// What the platform answered: `status` submitted, pending (again at `nextAt`) or failed.
    static func recordSubmission(_ number: String, status: String, platformID: String?, nextAt: Date, error: String?,
                                 connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE invoices SET platform_status = \(status), platform_id = coalesce(\(platformID), platform_id), platform_attempts = platform_attempts + 1,
                   platform_next_at = \(nextAt), platform_error = \(error)
            WHERE invoice_number = \(number)
            """, logger: logger)
    }

    /// An invoice's e-invoice platform state.
    struct PlatformState: Sendable {
        var status: String
        var platformID: String?
        var attempts: Int
        var error: String?
    }

    /// An order's invoices, oldest first (buyer sealed), with their platform state.
    static func invoicesWithState(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [(Invoice, PlatformState)] {
        let rows = try await connection.query("""
            SELECT body::text, platform_status, platform_id, platform_attempts, platform_error FROM invoices WHERE order_id = \(orderID) ORDER BY issued_at, invoice_number
            """, logger: logger)
        var found: [(Invoice, PlatformState)] = []
        for try await (body, status, id, attempts, error) in rows.decode((String, String, String?, Int, String?).self) {
            found.append((try EventCoding.decode(Invoice.self, from: Array(body.utf8)), PlatformState(status: status, platformID: id, attempts: attempts, error: error)))
        }
        return found
    }

    /// One invoice by number (buyer sealed), or nil.
    static func invoice(number: String, connection: PostgresConnection, logger: Logger) async throws -> Invoice? {
        try await decodeAll(connection.query("SELECT body::text FROM invoices WHERE invoice_number = \(number)", logger: logger)).first
    }

    /// Invoices of a series in number order, from `after` (for finance's numbering check and exports).
    static func series(_ series: String, after: Int64, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [Invoice] {
        try await decodeAll(connection.query("""
            SELECT body::text FROM invoices WHERE series = \(series) AND number > \(after) ORDER BY number LIMIT \(limit)
            """, logger: logger))
    }

    private static func decodeAll(_ rows: PostgresRowSequence) async throws -> [Invoice] {
        var found: [Invoice] = []
        for try await body in rows.decode(String.self) { found.append(try EventCoding.decode(Invoice.self, from: Array(body.utf8))) }
        return found
    }
}

/// The ledger is not as the issuer expects (a series row missing under it).
struct InvoiceStoreError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
