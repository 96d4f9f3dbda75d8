import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Picking, for warehouse staff with handheld scanners:
/// `POST /v1/fulfillment/warehouses/{code}/waves` (release a wave now),
/// `GET /v1/fulfillment/warehouses/{code}/waves?status=picking|completed`,
/// `GET /v1/fulfillment/waves/{id}` (progress and the pick list in walking order),
/// `POST /v1/fulfillment/pick-tasks/{id}/scans` (barcode + quantity) and
/// `POST /v1/fulfillment/pick-tasks/{id}/short` (the rest of the task is not on the shelf).
/// A wrong barcode or too many units are refused (422) and recorded; nothing is picked.
struct PickingRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: FulfillmentConfiguration

    struct ScanRequest: Codable, Sendable {
        var barcode: String
        var quantity: Int
        var picker: String
    }

    struct ShortRequest: Codable, Sendable {
        var picker: String
        var note: String?
    }

    struct Task: Codable, Sendable {
        var taskId: Int64
        var sequence: Int
        var location: String?
        var sku: String
        var itemName: String?
        var fulfillmentOrderId: String
        var lineNumber: Int
        var quantity: Int
        var picked: Int
        var short: Int
        var status: String
    }

    struct WaveProgress: Codable, Sendable {
        var waveId: Int64
        var warehouseId: String
        var status: String
        var releasedBy: String
        var orderCount: Int
        var createdAt: Date
        var completedAt: Date?
        var unitsTotal: Int
        var unitsPicked: Int
        var unitsShort: Int
        var unitsOpen: Int
        var tasksOpen: Int
        var percentComplete: Int
        var tasks: [Task]?
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/fulfillment/warehouses/:code/waves", [.warehouse, .ops], "Release a pick wave now", body: .none, use: releaseWave),
        .get("/v1/fulfillment/warehouses/:code/waves", [.warehouse, .ops], "A warehouse's pick waves", use: listWaves),
        .get("/v1/fulfillment/waves/:id", [.warehouse, .ops], "One pick wave with its tasks in walking order", use: showWave),
        .post("/v1/fulfillment/pick-tasks/:id/scans", [.warehouse], "Record a picker's scan on a pick task", use: scan),
        .post("/v1/fulfillment/pick-tasks/:id/short", [.warehouse], "Report a pick task short (stock not on the shelf)", use: reportShort),
    ]

    func releaseWave(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        var check = RequestCheck()
        check.code(code, "code")
        try check.check()
        let wave = try await runtime.retryingTransaction { tx -> PickWave? in
            let settings = try await WarehouseSettings.load([code], defaults: configuration, connection: tx.connection, logger: tx.logger)[code]!
            return try await PickWave.release(warehouse: code, releasedBy: "manual", maxOrders: settings.waveMaxOrders, connection: tx.connection, logger: tx.logger)
        }
        guard let wave else { throw APIError.conflict("nothing_to_wave", "no open fulfillment orders wait in this warehouse") }
        return try Response.json(wave, status: .created)
    }

    func listWaves(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let status = request.queryDictionary["status"] ?? "picking"
        guard status == "picking" || status == "completed" else { throw APIError.validation([.init(field: "status", reason: "picking or completed")]) }
        let waves = try await runtime.database.client.withConnection { connection in
            try await progress(.warehouse(code, status: status), connection: connection)
        }
        return try Response.json(["waves": waves])
    }

    func showWave(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.notFound("wave") }
        let waves = try await runtime.database.client.withConnection { connection in
            try await progress(.wave(id), connection: connection)
        }
        guard let wave = waves.first else { throw APIError.notFound("wave") }
        return try Response.json(wave)
    }

    func scan(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.notFound("pick task") }
        let body = try await request.decodeJSON(as: ScanRequest.self, context: context)
        var check = RequestCheck()
        if body.barcode.isEmpty || body.barcode.count > 64 { check.fail("barcode", "required, at most 64 characters") }
        check.units(body.quantity, "quantity")
        check.text(body.picker, "picker")
        try check.check()
        return try await scan(id, body)
    }

    func reportShort(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.notFound("pick task") }
        let body = try await request.decodeJSON(as: ShortRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.picker, "picker")
        if let note = body.note, note.count > 500 { check.fail("note", "at most 500 characters") }
        try check.check()
        return try await short(id, body)
    }

    private enum ScanOutcome: Sendable {
        case accepted(Task)
        case refused(APIError, outcome: String)
    }

    private func scan(_ id: Int64, _ body: ScanRequest) async throws -> Response {
        let outcome = try await runtime.retryingTransaction { tx -> ScanOutcome in
            let connection = tx.connection, logger = tx.logger
            let locked = try await lockTask(id, tx: tx)
            let task = locked.task
            guard task.status == "open" else { throw APIError.conflict("task_closed", "the pick task is \(task.status)") }
            let scannedSKU = try await PickTaskStore.sku(ofBarcode: body.barcode, connection: connection, logger: logger)
            guard scannedSKU == task.sku else {
                let reason = scannedSKU.map { "barcode belongs to \($0), the task is for \(task.sku)" } ?? "unknown barcode; the task is for \(task.sku)"
                return .refused(APIError(.unprocessableContent, code: "wrong_barcode", message: "wrong item scanned: put it back",
                                         fields: [.init(field: "barcode", reason: reason)]), outcome: "wrong_barcode")
            }
            let remaining = task.quantity - task.picked - task.short
            guard body.quantity <= remaining else {
                return .refused(APIError(.unprocessableContent, code: "over_pick", message: "more units than the task needs",
                                         fields: [.init(field: "quantity", reason: "at most \(remaining) more")]), outcome: "over_pick")
            }
            let done = body.quantity == remaining
            let now = Date()
            try await PickTaskStore.recordPick(task, quantity: body.quantity, done: done, barcode: body.barcode, picker: body.picker, at: now, connection: connection, logger: logger)
            if done { try await PickWave.settle(orders: [task.fulfillmentOrderId], waves: [locked.waveId], now: now, connection: connection, logger: logger) }
            var updated = task
            updated.picked += body.quantity
            updated.status = done ? "done" : "open"
            return .accepted(updated)
        }
        switch outcome {
        case .accepted(let task):
            return try Response.json(task)
        case .refused(let error, let result):
            // The refusal is part of the audit trail even though nothing was picked.
            try await PickTaskStore.recordRefusedScan(id, barcode: String(body.barcode.prefix(64)), quantity: body.quantity, picker: body.picker, outcome: result,
                                                      client: runtime.database.client, logger: runtime.logger)
            runtime.logger.notice("pick scan refused", metadata: ["taskId": "\(id)", "reason": "\(result)", "picker": "\(body.picker)"])
            throw error
        }
    }

    private func short(_ id: Int64, _ body: ShortRequest) async throws -> Response {
        let task = try await runtime.retryingTransaction { tx -> Task in
            let connection = tx.connection, logger = tx.logger
            let locked = try await lockTask(id, tx: tx)
            let task = locked.task
            guard task.status == "open" else { throw APIError.conflict("task_closed", "the pick task is \(task.status)") }
            let missing = task.quantity - task.picked - task.short
            let now = Date()
            try await PickTaskStore.recordShort(task, missing: missing, picker: body.picker, at: now, connection: connection, logger: logger)
            try tx.emit(FulfillmentShortPicked(orderID: locked.orderID, warehouseId: locked.warehouse, lines: [ShortPickLine(lineNumber: task.lineNumber, sku: task.sku, missingQuantity: missing)],
                                               reportedBy: body.picker, shortPickedAt: now),
                        orderID: locked.orderID, topic: TopicCatalogue.fulfillmentEvents)
            try await PickWave.settle(orders: [task.fulfillmentOrderId], waves: [locked.waveId], now: now, connection: connection, logger: logger)
            var updated = task
            updated.short += missing
            updated.status = "short"
            return updated
        }
        return try Response.json(task)
    }

    private func lockTask(_ id: Int64, tx: TransactionContext) async throws -> PickTaskStore.LockedTask {
        guard let locked = try await PickTaskStore.locked(id, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("pick task") }
        return locked
    }

    private func progress(_ filter: PickTaskStore.WaveFilter, connection: PostgresConnection) async throws -> [WaveProgress] {
        try await PickTaskStore.progress(filter, connection: connection, logger: runtime.logger)
    }
}
