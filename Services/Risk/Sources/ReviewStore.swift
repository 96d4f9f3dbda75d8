import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// The manual review's rows: held decisions and their queue, reviewers' contacts, the deny list.
/// Invariant: a decision is changed only on a row `locked(_:)` in the caller's transaction, so two
/// reviewers acting on one order serialize and the second sees the first's outcome.
enum ReviewStore {
    /// A held order in the queue.
    struct QueueRow: Sendable {
        var orderID: String
        var channel: String
        var score: Int
        var findings: [RiskFinding]
        var heldAt: Date
    }

    /// One decision row, the order body still sealed.
    struct Decision: Sendable {
        var channel: String
        var status: String
        var score: Int
        var findings: [RiskFinding]
        var decidedBy: String?
        var heldAt: Date?
        var decidedAt: Date?
        var note: String?
        var sealedOrder: Order
    }

    /// One reviewer's call to the customer.
    struct ContactRow: Sendable {
        var reviewer: String
        var note: String
        var amended: Bool
        var at: Date
    }

    static func deny(kind: String, valueHash: String, reason: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO deny_list (kind, value_hash, reason) VALUES (\(kind), \(valueHash), \(reason))
            ON CONFLICT (kind, value_hash) DO UPDATE SET reason = excluded.reason
            """, logger: logger)
    }

    /// Held orders, oldest first (at most 500), held at least `minimumAgeMinutes`, optionally of one
    /// channel or with one rule among their findings.
    static func queue(channel: String?, rule: String?, minimumAgeMinutes: Int, connection: PostgresConnection, logger: Logger) async throws -> [QueueRow] {
        let rows = try await connection.query("""
            SELECT order_id, channel, score, findings::text, held_at FROM decisions
            WHERE status = 'held' AND (\(channel)::text IS NULL OR channel = \(channel))
              AND held_at <= now() - make_interval(mins => \(Int32(clamping: minimumAgeMinutes)))
              AND (\(rule)::text IS NULL OR findings @> jsonb_build_array(jsonb_build_object('rule', \(rule)::text)))
            ORDER BY held_at LIMIT 500
            """, logger: logger)
        var entries: [QueueRow] = []
        for try await (id, channel, score, findings, heldAt) in rows.decode((String, String, Int, String, Date).self) {
            entries.append(QueueRow(orderID: id, channel: channel, score: score, findings: Self.findings(findings), heldAt: heldAt))
        }
        return entries
    }

    static func decision(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Decision? {
        try await decision(orderID, lock: false, connection: connection, logger: logger)
    }

    /// The decision row, locked until the caller's transaction ends.
    static func locked(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Decision? {
        try await decision(orderID, lock: true, connection: connection, logger: logger)
    }

    static func contacts(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [ContactRow] {
        let rows = try await connection.query("SELECT reviewer, note, amended, contacted_at FROM review_contacts WHERE order_id = \(orderID) ORDER BY id", logger: logger)
        var contacts: [ContactRow] = []
        for try await (reviewer, note, amended, at) in rows.decode((String, String, Bool, Date).self) {
            contacts.append(ContactRow(reviewer: reviewer, note: note, amended: amended, at: at))
        }
        return contacts
    }

    static func recordDecision(_ orderID: String, status: String, by reviewer: String, at: Date, note: String?, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE decisions SET status = \(status), decided_by = \(reviewer), decided_at = \(at), reviewer_note = \(note) WHERE order_id = \(orderID)
            """, logger: logger)
    }

    static func addContact(_ orderID: String, reviewer: String, note: String, amended: Bool, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO review_contacts (order_id, reviewer, note, amended) VALUES (\(orderID), \(reviewer), \(note), \(amended))
            """, logger: logger)
    }

    /// Replaces the stored order body (already sealed by the caller).
    static func replaceOrder(_ orderID: String, with sealed: Order, connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try EventCoding.encode(sealed), as: UTF8.self)
        try await connection.query("UPDATE decisions SET order_body = \(body)::jsonb WHERE order_id = \(orderID)", logger: logger)
    }

    private static func decision(_ orderID: String, lock: Bool, connection: PostgresConnection, logger: Logger) async throws -> Decision? {
        let rows = try await connection.query(lock
            ? "SELECT channel, status, score, findings::text, decided_by, held_at, decided_at, reviewer_note, order_body::text FROM decisions WHERE order_id = \(orderID) FOR UPDATE"
            : "SELECT channel, status, score, findings::text, decided_by, held_at, decided_at, reviewer_note, order_body::text FROM decisions WHERE order_id = \(orderID)",
            logger: logger)
        for try await (channel, status, score, findings, decidedBy, heldAt, decidedAt, note, body) in rows.decode((String, String, Int, String, String?, Date?, Date?, String?, String).self) {
            return Decision(channel: channel, status: status, score: score, findings: Self.findings(findings), decidedBy: decidedBy, heldAt: heldAt,
                            decidedAt: decidedAt, note: note, sealedOrder: try EventCoding.decode(Order.self, from: Array(body.utf8)))
        }
        return nil
    }

    private static func findings(_ text: String) -> [RiskFinding] {
        (try? EventCoding.decode([RiskFinding].self, from: Array(text.utf8))) ?? []
    }
}
