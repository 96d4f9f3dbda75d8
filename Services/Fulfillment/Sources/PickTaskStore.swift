import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of picking: pick tasks, their scans and the progress of waves. Invariant: a task changes
/// only while it and its fulfillment order are locked (`locked(_:)`), so two scanners on one task
/// serialize; every scan, accepted, refused or short, is recorded in `pick_scans`.
enum PickTaskStore {
    /// A task locked for update, with what picking needs to know about its order.
    struct LockedTask {
        var task: PickingRoutes.Task
        var waveId: Int64
        var orderID: String
        var warehouse: String
    }

    /// The task and its fulfillment order locked, or nil.
    static func locked(_ id: Int64, connection: PostgresConnection, logger: Logger) async throws -> LockedTask? {
        let rows = try await connection.query("""
            SELECT t.wave_id, t.sequence, t.location, t.sku, t.fulfillment_order_id, t.line_number, t.quantity, t.picked, t.short, t.status, f.order_id, f.warehouse_code
            FROM pick_tasks t JOIN fulfillment_orders f ON f.id = t.fulfillment_order_id WHERE t.id = \(id) FOR UPDATE OF t, f
            """, logger: logger)
        for try await (wave, sequence, location, sku, fo, line, quantity, picked, short, status, orderID, warehouse) in rows.decode((Int64, Int, String?, String, String, Int, Int, Int, Int, String, String, String).self) {
            let task = PickingRoutes.Task(taskId: id, sequence: sequence, location: location, sku: sku, itemName: nil, fulfillmentOrderId: fo, lineNumber: line,
                            quantity: quantity, picked: picked, short: short, status: status)
            return LockedTask(task: task, waveId: wave, orderID: orderID, warehouse: warehouse)
        }
        return nil
    }

    /// Which waves to report: one with its pick list, or a warehouse's in a status (no lists).
    enum WaveFilter {
        case wave(Int64)
        case warehouse(String, status: String)
    }

    /// Waves with their progress; a single wave also with its pick list in walking order.
    static func progress(_ filter: WaveFilter, connection: PostgresConnection, logger: Logger) async throws -> [PickingRoutes.WaveProgress] {
        let rows = switch filter {
        case .wave(let id):
            try await connection.query("""
                SELECT w.id, w.warehouse_code, w.status, w.released_by, w.order_count, w.created_at, w.completed_at,
                       COALESCE(sum(t.quantity), 0)::int8, COALESCE(sum(t.picked), 0)::int8, COALESCE(sum(t.short), 0)::int8,
                       COALESCE(sum(t.quantity - t.picked - t.short) FILTER (WHERE t.status = 'open'), 0)::int8, count(*) FILTER (WHERE t.status = 'open')
                FROM pick_waves w LEFT JOIN pick_tasks t ON t.wave_id = w.id WHERE w.id = \(id) GROUP BY w.id
                """, logger: logger)
        case .warehouse(let code, let status):
            try await connection.query("""
                SELECT w.id, w.warehouse_code, w.status, w.released_by, w.order_count, w.created_at, w.completed_at,
                       COALESCE(sum(t.quantity), 0)::int8, COALESCE(sum(t.picked), 0)::int8, COALESCE(sum(t.short), 0)::int8,
                       COALESCE(sum(t.quantity - t.picked - t.short) FILTER (WHERE t.status = 'open'), 0)::int8, count(*) FILTER (WHERE t.status = 'open')
                FROM pick_waves w LEFT JOIN pick_tasks t ON t.wave_id = w.id WHERE w.warehouse_code = \(code) AND w.status = \(status)
                GROUP BY w.id ORDER BY w.id DESC LIMIT 100
                """, logger: logger)
        }
        var waves: [PickingRoutes.WaveProgress] = []
        for try await (wave, warehouse, state, releasedBy, orders, created, completed, total, picked, short, open, tasksOpen) in rows.decode((Int64, String, String, String, Int, Date, Date?, Int, Int, Int, Int, Int).self) {
            let closed = total - open
            waves.append(PickingRoutes.WaveProgress(waveId: wave, warehouseId: warehouse, status: state, releasedBy: releasedBy, orderCount: orders, createdAt: created,
                                      completedAt: completed, unitsTotal: total, unitsPicked: picked, unitsShort: short, unitsOpen: open,
                                      tasksOpen: tasksOpen, percentComplete: total == 0 ? 100 : closed * 100 / total, tasks: nil))
        }
        if case .wave = filter, let first = waves.first {
            let taskRows = try await connection.query("""
                SELECT t.id, t.sequence, t.location, t.sku, i.name, t.fulfillment_order_id, t.line_number, t.quantity, t.picked, t.short, t.status
                FROM pick_tasks t LEFT JOIN items i ON i.sku = t.sku WHERE t.wave_id = \(first.waveId) ORDER BY t.sequence
                """, logger: logger)
            var tasks: [PickingRoutes.Task] = []
            for try await (task, sequence, location, sku, name, fo, line, quantity, picked, short, state) in taskRows.decode((Int64, Int, String?, String, String?, String, Int, Int, Int, Int, String).self) {
                tasks.append(PickingRoutes.Task(taskId: task, sequence: sequence, location: location, sku: sku, itemName: name, fulfillmentOrderId: fo, lineNumber: line,
                                  quantity: quantity, picked: picked, short: short, status: state))
            }
            waves[0].tasks = tasks
        }
        return waves
    }

    /// The SKU a barcode belongs to, if any.
    static func sku(ofBarcode barcode: String, connection: PostgresConnection, logger: Logger) async throws -> String? {
        let owners = try await connection.query("SELECT sku FROM item_barcodes WHERE barcode = \(barcode)", logger: logger)
        var found: String?
        for try await sku in owners.decode(String.self) { found = sku }
        return found
    }

    /// An accepted scan: units picked on the task and its order line, the scan recorded.
    static func recordPick(_ task: PickingRoutes.Task, quantity: Int, done: Bool, barcode: String, picker: String, at now: Date,
                           connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE pick_tasks SET picked = picked + \(quantity), status = \(done ? "done" : "open"), updated_at = \(now) WHERE id = \(task.taskId)
            """, logger: logger)
        try await connection.query("""
            UPDATE fulfillment_lines SET picked = picked + \(quantity) WHERE fulfillment_order_id = \(task.fulfillmentOrderId) AND line_number = \(task.lineNumber)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO pick_scans (task_id, barcode, quantity, picker, outcome, scanned_at) VALUES (\(task.taskId), \(barcode), \(quantity), \(picker), 'accepted', \(now))
            """, logger: logger)
    }

    /// A refused scan, for the audit trail (nothing was picked).
    static func recordRefusedScan(_ taskID: Int64, barcode: String, quantity: Int, picker: String, outcome: String, client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO pick_scans (task_id, barcode, quantity, picker, outcome) VALUES (\(taskID), \(barcode), \(quantity), \(picker), \(outcome))
            """, logger: logger)
    }

    /// The rest of the task is not on the shelf: short on the task and its order line, recorded.
    static func recordShort(_ task: PickingRoutes.Task, missing: Int, picker: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE pick_tasks SET short = short + \(missing), status = 'short', updated_at = \(now) WHERE id = \(task.taskId)", logger: logger)
        try await connection.query("""
            UPDATE fulfillment_lines SET short = short + \(missing) WHERE fulfillment_order_id = \(task.fulfillmentOrderId) AND line_number = \(task.lineNumber)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO pick_scans (task_id, barcode, quantity, picker, outcome, scanned_at) VALUES (\(task.taskId), '', \(missing), \(picker), 'short', \(now))
            """, logger: logger)
    }
}
