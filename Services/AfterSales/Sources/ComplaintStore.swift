import Foundation
import Logging
import PostgresNIO

/// SQL of complaints as customer service lists, reads and progresses them (opening and
/// escalating are `ComplaintDesk`'s). Invariant: a resolved complaint is never changed again;
/// `resolved_within_sla` holds only when it was resolved by its due time and never escalated.
enum ComplaintStore {
    /// Up to 200 complaint ids, earliest due first; `status` `unresolved` means not resolved.
    static func ids(team: String?, status: String?, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT complaint_id FROM complaints
            WHERE (\(team)::text IS NULL OR team = \(team))
              AND (\(status)::text IS NULL OR status = \(status) OR (\(status) = 'unresolved' AND status <> 'resolved'))
            ORDER BY due_at LIMIT 200
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// The complaint's status, its row locked until the caller's transaction ends.
    static func lockedStatus(of id: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("SELECT status FROM complaints WHERE complaint_id = \(id) FOR UPDATE", logger: logger)
        for try await value in rows.decode(String.self) { return value }
        return nil
    }

    static func markResolved(_ id: String, resolution: String?, by user: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE complaints SET status = 'resolved', resolution = \(resolution), resolved_by = \(user), resolved_at = \(now),
                   resolved_within_sla = (due_at >= \(now) AND NOT EXISTS (SELECT 1 FROM complaint_history h WHERE h.complaint_id = complaints.complaint_id AND h.action = 'escalated'))
            WHERE complaint_id = \(id)
            """, logger: logger)
    }

    static func markInProgress(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE complaints SET status = 'inProgress' WHERE complaint_id = \(id)", logger: logger)
    }

    /// The complaint, with its history when `history`.
    static func view(_ id: String, history: Bool, connection: PostgresConnection, logger: Logger) async throws -> ComplaintRoutes.ComplaintView? {
        let rows = try await connection.query("""
            SELECT order_id, category, severity, team, status, description, sku, carrier, warehouse_code, escalation_level, rule, due_at, created_at,
                   resolution, resolved_at, resolved_within_sla
            FROM complaints WHERE complaint_id = \(id)
            """, logger: logger)
        var view: ComplaintRoutes.ComplaintView?
        for try await row in rows {
            let c = row.makeRandomAccess()
            let level = try c[9].decode(Int.self), due = try c[11].decode(Date.self), status = try c[4].decode(String.self)
            view = ComplaintRoutes.ComplaintView(complaintId: id, orderId: try c[0].decode(String.self), category: try c[1].decode(String.self), severity: try c[2].decode(String.self),
                                 team: try c[3].decode(String.self), status: status, description: try c[5].decode(String.self), sku: try c[6].decode(String?.self),
                                 carrier: try c[7].decode(String?.self), warehouseId: try c[8].decode(String?.self), escalationLevel: level,
                                 heldBy: ComplaintRouter.levels[min(level, ComplaintRouter.levels.count - 1)], rule: try c[10].decode(String.self), dueAt: due,
                                 overdue: status != "resolved" && due < Date(), createdAt: try c[12].decode(Date.self), resolution: try c[13].decode(String?.self),
                                 resolvedAt: try c[14].decode(Date?.self), resolvedWithinSLA: try c[15].decode(Bool?.self))
        }
        guard var found = view, history else { return view }
        let entries = try await connection.query("""
            SELECT action, escalation_level, actor, note, at FROM complaint_history WHERE complaint_id = \(id) ORDER BY id
            """, logger: logger)
        found.history = []
        for try await (action, level, actor, note, at) in entries.decode((String, Int, String, String?, Date).self) {
            found.history?.append(ComplaintRoutes.HistoryEntry(action: action, escalationLevel: level, actor: actor, note: note, at: at))
        }
        return found
    }
}
