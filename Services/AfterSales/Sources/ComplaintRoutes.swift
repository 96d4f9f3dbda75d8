import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Complaints for customer service and the teams they are routed to:
/// - `POST /v1/aftersales/complaints` records one (`orderId`, `category`, `severity`, `description`,
///   optional `sku`, `requestId`), routed by `ComplaintRouter` with its SLA due time;
/// - `POST /v1/aftersales/complaints/{id}/progress` (`status`: `inProgress` | `resolved`, `note`);
///   resolving records whether it was within the SLA;
/// - `GET /v1/aftersales/complaints/{id}` (with its history), `GET /v1/aftersales/complaints?team=&status=`.
/// Overdue complaints are escalated by `ComplaintEscalator`.
struct ComplaintRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let desk: ComplaintDesk

    struct ComplaintRequest: Codable, Sendable {
        var orderId: String
        var category: Complaint.Category
        var severity: Complaint.Severity
        var description: String
        var sku: String?
        var requestId: String?
    }

    struct ProgressRequest: Codable, Sendable {
        enum Status: String, Codable, Sendable { case inProgress, resolved }
        var status: Status
        var note: String
    }

    struct HistoryEntry: Codable, Sendable {
        var action: String
        var escalationLevel: Int
        var actor: String
        var note: String?
        var at: Date
    }

    struct ComplaintView: Codable, Sendable {
        var complaintId: String
        var orderId: String
        var category: String
        var severity: String
        var team: String
        var status: String
        var description: String
        var sku: String?
        var carrier: String?
        var warehouseId: String?
        var escalationLevel: Int
        var heldBy: String
        var rule: String
        var dueAt: Date
        var overdue: Bool
        var createdAt: Date
        var resolution: String?
        var resolvedAt: Date?
        var resolvedWithinSLA: Bool?
        var history: [HistoryEntry]?
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/aftersales/complaints", [.customerService], "Record a complaint (routed to a team with a due time)", use: openComplaint),
        .get("/v1/aftersales/complaints/:id", [.customerService], "One complaint with its history", use: showComplaint),
        .get("/v1/aftersales/complaints", [.customerService], "Complaints, filtered and paged", use: listComplaints),
        .post("/v1/aftersales/complaints/:id/progress", [.customerService], "Record progress on a complaint (escalate, resolve, close)", use: progressComplaint),
    ]

    func openComplaint(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ComplaintRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.orderId, "orderId", max: 64)
        check.text(body.description, "description", max: 2_000)
        if let sku = body.sku { check.sku(sku, "sku") }
        if let key = body.requestId { check.text(key, "requestId", max: 64) }
        try check.check()
        let user = context.actingUser
        let (view, replayed) = try await runtime.retryingTransaction { tx in
            guard let record = try await AfterSalesRecord.load(body.orderId, lock: false, connection: tx.connection, logger: tx.logger, vault: runtime.database.vault) else { throw APIError.notFound("order") }
            if let sku = body.sku, !record.order.lines.contains(where: { $0.sku == sku }) {
                throw APIError.validation([.init(field: "sku", reason: "not a SKU of order \(body.orderId)")])
            }
            let (id, existed) = try await desk.open(.init(orderID: body.orderId, category: body.category, severity: body.severity, description: body.description,
                                                          sku: body.sku, requestID: body.requestId, actor: user), record: record, tx: tx)
            return (try await ComplaintStore.view(id, history: true, connection: tx.connection, logger: tx.logger)!, existed)
        }
        return replayed ? try Response.replayed(view) : try Response.json(view, status: .created)
    }

    func showComplaint(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let view = try await runtime.database.client.withConnection { try await ComplaintStore.view(id, history: true, connection: $0, logger: runtime.logger) }
        guard let view else { throw APIError.notFound("complaint") }
        return try Response.json(view)
    }

    func listComplaints(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let team = query["team"], Complaint.Team(rawValue: team) == nil { check.fail("team", "one of \(Complaint.Team.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let status = query["status"], !["open", "inProgress", "resolved", "unresolved"].contains(status) { check.fail("status", "open, inProgress, resolved or unresolved") }
        try check.check()
        let ids = try await runtime.database.client.withConnection { connection in
            try await ComplaintStore.ids(team: query["team"], status: query["status"], connection: connection, logger: runtime.logger)
        }
        var views: [ComplaintView] = []
        for id in ids {
            if let view = try await runtime.database.client.withConnection({ try await ComplaintStore.view(id, history: false, connection: $0, logger: runtime.logger) }) { views.append(view) }
        }
        return try Response.json(["complaints": views])
    }

    func progressComplaint(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: ProgressRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.note, "note", max: 2_000)
        try check.check()
        let user = context.actingUser
        let view = try await runtime.retryingTransaction { tx in
            guard let status = try await ComplaintStore.lockedStatus(of: id, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("complaint") }
            guard status != "resolved" else { throw APIError.conflict("already_resolved", "complaint \(id) is resolved") }
            let now = Date()
            if body.status == .resolved {
                try await ComplaintStore.markResolved(id, resolution: body.note, by: user, at: now, connection: tx.connection, logger: tx.logger)
            } else {
                try await ComplaintStore.markInProgress(id, connection: tx.connection, logger: tx.logger)
            }
            let view = try await ComplaintStore.view(id, history: false, connection: tx.connection, logger: tx.logger)!
            try await desk.history(id, body.status.rawValue, level: view.escalationLevel, actor: user, note: body.note, at: now, tx: tx)
            if body.status == .resolved {
                let changed = ComplaintChanged(complaintId: id, orderID: view.orderId, category: Complaint.Category(rawValue: view.category) ?? .service,
                                               severity: Complaint.Severity(rawValue: view.severity) ?? .medium, team: Complaint.Team(rawValue: view.team) ?? .customerService,
                                               escalationLevel: view.escalationLevel, carrier: view.carrier, warehouseId: view.warehouseId, sku: view.sku, dueAt: view.dueAt, at: now)
                try tx.emit(ComplaintResolved(complaint: changed, withinSLA: view.resolvedWithinSLA ?? false), orderID: view.orderId, topic: TopicCatalogue.afterSalesEvents)
            }
            return try await ComplaintStore.view(id, history: true, connection: tx.connection, logger: tx.logger)!
        }
        return try Response.json(view)
    }
}
