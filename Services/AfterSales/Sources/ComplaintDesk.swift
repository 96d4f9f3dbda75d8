import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Opens, updates and escalates complaints inside a caller's transaction, each change written to
/// `complaint_history` and announced on `oms.aftersales.events`. Invariant: the escalation level
/// only grows, a resolved complaint is never escalated, and every change has a history row.
struct ComplaintDesk: Sendable {
    let router: ComplaintRouter

    struct Opening: Sendable {
        var orderID: String
        var category: Complaint.Category
        var severity: Complaint.Severity
        var description: String
        var sku: String?
        var requestID: String?
        var actor: String
    }

    /// Opens a complaint routed by `ComplaintRouter`; returns its id and whether it already existed
    /// (same request id on the same order).
    func open(_ opening: Opening, record: AfterSalesRecord?, tx: TransactionContext) async throws -> (String, Bool) {
        let connection = tx.connection, logger = tx.logger
        if let key = opening.requestID {
            let rows = try await connection.query("SELECT complaint_id FROM complaints WHERE order_id = \(opening.orderID) AND request_id = \(key)", logger: logger)
            for try await id in rows.decode(String.self) { return (id, true) }
        }
        let parcels = try await record?.parcels(connection: connection, logger: logger) ?? []
        let routing = router.route(category: opening.category, severity: opening.severity, sku: opening.sku, parcels: parcels)
        let now = Date()
        let due = router.due(opening.severity, from: now)
        let id = "CMP-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
        try await connection.query("""
            INSERT INTO complaints (complaint_id, order_id, request_id, category, severity, team, status, description, sku, carrier, warehouse_code,
                                    escalation_level, rule, due_at, created_by, created_at)
            VALUES (\(id), \(opening.orderID), \(opening.requestID), \(opening.category.rawValue), \(opening.severity.rawValue), \(routing.team.rawValue), 'open',
                    \(opening.description), \(opening.sku), \(routing.carrier), \(routing.warehouseId), \(routing.escalationLevel), \(routing.rule), \(due), \(opening.actor), \(now))
            """, logger: logger)
        try await history(id, "recorded", level: routing.escalationLevel, actor: opening.actor, note: routing.rule, at: now, tx: tx)
        let changed = ComplaintChanged(complaintId: id, orderID: opening.orderID, category: opening.category, severity: opening.severity, team: routing.team,
                                       escalationLevel: routing.escalationLevel, carrier: routing.carrier, warehouseId: routing.warehouseId, sku: opening.sku, dueAt: due, at: now)
        try tx.emit(ComplaintRecorded(complaint: changed), orderID: opening.orderID, topic: TopicCatalogue.afterSalesEvents)
        return (id, false)
    }

    /// Escalates every unresolved complaint past its due time one level (up to the last), with a
    /// new due time of the severity's SLA. Returns how many moved.
    func escalateOverdue(now: Date, tx: TransactionContext) async throws -> Int {
        let severities = Complaint.Severity.allCases
        let seconds = severities.map { router.slaSeconds[$0] ?? 86_400 }
        let rows = try await tx.connection.query("""
            UPDATE complaints c SET escalation_level = c.escalation_level + 1, due_at = \(now) + make_interval(secs => s.seconds)
            FROM unnest(\(severities.map(\.rawValue))::text[], \(seconds)::int8[]) AS s(severity, seconds)
            WHERE c.severity = s.severity AND c.complaint_id IN (
                SELECT complaint_id FROM complaints WHERE status <> 'resolved' AND due_at < \(now) AND escalation_level < \(ComplaintRouter.levels.count - 1)
                ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED)
            RETURNING c.complaint_id, c.order_id, c.category, c.severity, c.team, c.escalation_level, c.carrier, c.warehouse_code, c.sku, c.due_at
            """, logger: tx.logger)
        var moved: [ComplaintChanged] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            moved.append(ComplaintChanged(
                complaintId: try columns[0].decode(String.self), orderID: try columns[1].decode(String.self),
                category: Complaint.Category(rawValue: try columns[2].decode(String.self)) ?? .service,
                severity: Complaint.Severity(rawValue: try columns[3].decode(String.self)) ?? .medium,
                team: Complaint.Team(rawValue: try columns[4].decode(String.self)) ?? .customerService,
                escalationLevel: try columns[5].decode(Int.self), carrier: try columns[6].decode(String?.self), warehouseId: try columns[7].decode(String?.self),
                sku: try columns[8].decode(String?.self), dueAt: try columns[9].decode(Date.self), at: now))
        }
        for complaint in moved {
            try await history(complaint.complaintId, "escalated", level: complaint.escalationLevel, actor: "sla",
                              note: "SLA passed: now with \(ComplaintRouter.levels[complaint.escalationLevel])", at: now, tx: tx)
            try tx.emit(ComplaintEscalated(complaint: complaint), orderID: complaint.orderID, topic: TopicCatalogue.afterSalesEvents)
        }
        return moved.count
    }

    func history(_ id: String, _ action: String, level: Int, actor: String, note: String?, at: Date, tx: TransactionContext) async throws {
        try await tx.connection.query("""
            INSERT INTO complaint_history (complaint_id, action, escalation_level, actor, note, at) VALUES (\(id), \(action), \(level), \(actor), \(note), \(at))
            """, logger: tx.logger)
    }
}
