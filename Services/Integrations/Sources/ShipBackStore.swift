import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of marketplace orders and their ship-backs. Invariant: one ship-back per shipment id; a
/// ship-back is claimed only when no earlier parcel of its order is still waiting or pending (the
/// platform hears of the first parcel first), and a claim holds a lease (its next attempt time), so
/// a process killed mid-call leaves it to be claimed again, never lost.
enum ShipBackStore {
    /// A marketplace order as ship-back needs it.
    struct MarketplaceOrder: Sendable {
        var orderId: String
        var platform: String
        var platformOrderId: String
        var lines: [ShipBackPlan.OrderLine]
    }

    /// A parcel as `shipment.dispatched` tells it.
    struct Parcel: Sendable {
        var shipmentId: String
        var orderId: String
        var carrier: String
        var trackingNumber: String
        var lines: [ShipBackPlan.ParcelLine]
        var replacesShipmentId: String?
        var dispatchedAt: Date
    }

    /// One ship-back as ops see it.
    struct View: Codable, Sendable {
        var shipmentId: String
        var orderId: String
        var platform: String?
        var platformOrderId: String?
        var operation: String?
        var carrier: String
        var trackingNumber: String
        var subOrderIds: [String]
        var isSplit: Bool
        var replacesShipmentId: String?
        var status: String
        var skipReason: String?
        var attempts: Int
        var nextAttemptAt: Date?
        var lastErrorCode: String?
        var lastError: String?
        var sentAt: Date?
        var dispatchedAt: Date
    }

    static let statuses = ["waiting_order", "pending", "sent", "failed", "skipped"]

    static func recordOrders(_ orders: [MarketplaceOrder], connection: PostgresConnection, logger: Logger) async throws {
        guard !orders.isEmpty else { return }
        let lines = try orders.map { String(decoding: try JSONEncoder().encode($0.lines), as: UTF8.self) }
        try await connection.query("""
            INSERT INTO marketplace_orders (order_id, platform, platform_order_id, lines)
            SELECT o, p, t, l::jsonb FROM unnest(\(orders.map(\.orderId))::text[], \(orders.map(\.platform))::text[], \(orders.map(\.platformOrderId))::text[],
                                                 \(lines)::text[]) AS u(o, p, t, l)
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
    }

    static func orders(_ ids: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: MarketplaceOrder] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: MarketplaceOrder] = [:]
        let rows = try await connection.query("""
            SELECT order_id, platform, platform_order_id, lines::text FROM marketplace_orders WHERE order_id = ANY(\(ids)::text[])
            """, logger: logger)
        for try await (id, platform, tid, lines) in rows.decode((String, String, String, String).self) {
            found[id] = MarketplaceOrder(orderId: id, platform: platform, platformOrderId: tid,
                                         lines: (try? JSONDecoder().decode([ShipBackPlan.OrderLine].self, from: Data(lines.utf8))) ?? [])
        }
        return found
    }

    /// How many parcels (not replacements) of each order were recorded for ship-back already.
    static func parcelCounts(_ orderIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        guard !orderIDs.isEmpty else { return [:] }
        var counts: [String: Int] = [:]
        let rows = try await connection.query("""
            SELECT order_id, count(*)::int8 FROM marketplace_shipbacks
            WHERE order_id = ANY(\(orderIDs)::text[]) AND replaces_shipment_id IS NULL AND status <> 'waiting_order' GROUP BY order_id
            """, logger: logger)
        for try await (id, count) in rows.decode((String, Int64).self) { counts[id] = Int(count) }
        return counts
    }

    /// A parcel to record: its plan, or nil while its order is not known.
    struct Recording: Sendable {
        var parcel: Parcel
        var order: MarketplaceOrder?
        var decision: ShipBackPlan.Decision?
    }

    /// Records parcels; one already recorded (the same shipment id) stays as it is.
    static func record(_ recordings: [Recording], connection: PostgresConnection, logger: Logger) async throws {
        guard !recordings.isEmpty else { return }
        var columns = Columns()
        for recording in recordings { columns.append(recording) }
        try await connection.query("""
            INSERT INTO marketplace_shipbacks (shipment_id, order_id, platform, platform_order_id, operation, carrier, tracking_number, parcel_lines,
                                               replaces_shipment_id, sub_order_ids, is_split, dispatched_at, status, skip_reason)
            SELECT s, o, nullif(p, ''), nullif(t, ''), nullif(op, ''), c, n, l::jsonb, nullif(r, ''), coalesce(string_to_array(nullif(sub, ''), ','), '{}'),
                   sp, d, st, nullif(why, '')
            FROM unnest(\(columns.shipment)::text[], \(columns.order)::text[], \(columns.platform)::text[], \(columns.tid)::text[], \(columns.operation)::text[],
                        \(columns.carrier)::text[], \(columns.tracking)::text[], \(columns.lines)::text[], \(columns.replaces)::text[], \(columns.sub)::text[],
                        \(columns.split)::bool[], \(columns.dispatched)::timestamptz[], \(columns.status)::text[], \(columns.reason)::text[])
                 AS u(s, o, p, t, op, c, n, l, r, sub, sp, d, st, why)
            ON CONFLICT (shipment_id) DO NOTHING
            """, logger: logger)
    }

    /// Parcels recorded before their order was known, oldest first.
    static func waiting(orders: [String], connection: PostgresConnection, logger: Logger) async throws -> [Parcel] {
        guard !orders.isEmpty else { return [] }
        var parcels: [Parcel] = []
        let rows = try await connection.query("""
            SELECT shipment_id, order_id, carrier, tracking_number, parcel_lines::text, coalesce(replaces_shipment_id, ''), dispatched_at
            FROM marketplace_shipbacks WHERE order_id = ANY(\(orders)::text[]) AND status = 'waiting_order'
            ORDER BY dispatched_at, shipment_id FOR UPDATE
            """, logger: logger)
        for try await (id, order, carrier, tracking, lines, replaces, at) in rows.decode((String, String, String, String, String, String, Date).self) {
            parcels.append(Parcel(shipmentId: id, orderId: order, carrier: carrier, trackingNumber: tracking,
                                  lines: (try? JSONDecoder().decode([ShipBackPlan.ParcelLine].self, from: Data(lines.utf8))) ?? [],
                                  replacesShipmentId: replaces.isEmpty ? nil : replaces, dispatchedAt: at))
        }
        return parcels
    }

    /// Plans a parcel that waited for its order.
    static func plan(_ recording: Recording, connection: PostgresConnection, logger: Logger) async throws {
        var columns = Columns()
        columns.append(recording)
        try await connection.query("""
            UPDATE marketplace_shipbacks SET platform = \(columns.platform[0]), platform_order_id = \(columns.tid[0]), operation = nullif(\(columns.operation[0]), ''),
                   sub_order_ids = coalesce(string_to_array(nullif(\(columns.sub[0]), ''), ','), '{}'), is_split = \(columns.split[0]),
                   status = \(columns.status[0]), skip_reason = nullif(\(columns.reason[0]), ''), updated_at = now()
            WHERE shipment_id = \(recording.parcel.shipmentId) AND status = 'waiting_order'
            """, logger: logger)
    }

    /// Forgets parcels that waited for an order which turned out not to be a marketplace one.
    static func dropWaiting(orders: [String], connection: PostgresConnection, logger: Logger) async throws {
        guard !orders.isEmpty else { return }
        try await connection.query("DELETE FROM marketplace_shipbacks WHERE order_id = ANY(\(orders)::text[]) AND status = 'waiting_order'", logger: logger)
    }

    /// Column arrays of recordings, for one multi-row statement.
    struct Columns {
        var shipment: [String] = [], order: [String] = [], platform: [String] = [], tid: [String] = [], operation: [String] = []
        var carrier: [String] = [], tracking: [String] = [], lines: [String] = [], replaces: [String] = [], sub: [String] = []
        var split: [Bool] = [], dispatched: [Date] = [], status: [String] = [], reason: [String] = []

        mutating func append(_ recording: Recording) {
            let parcel = recording.parcel
            shipment.append(parcel.shipmentId)
            order.append(parcel.orderId)
            platform.append(recording.order?.platform ?? "")
            tid.append(recording.order?.platformOrderId ?? "")
            carrier.append(parcel.carrier)
            tracking.append(parcel.trackingNumber)
            lines.append((try? JSONEncoder().encode(parcel.lines)).map { String(decoding: $0, as: UTF8.self) } ?? "[]")
            replaces.append(parcel.replacesShipmentId ?? "")
            dispatched.append(parcel.dispatchedAt)
            switch recording.decision {
            case .send(let op, let ids, let isSplit)?:
                operation.append(op.rawValue); sub.append(ids.joined(separator: ",")); split.append(isSplit); status.append("pending"); reason.append("")
            case .skip(let why)?:
                operation.append(""); sub.append(""); split.append(false); status.append("skipped"); reason.append(why)
            case nil:
                operation.append(""); sub.append(""); split.append(false); status.append("waiting_order"); reason.append("")
            }
        }
    }

    // MARK: sending

    /// A claimed ship-back and the attempt number this is.
    struct Claim: Sendable {
        var shipBack: ShipBack
        var attempt: Int
        /// The code the previous attempt ended with (nil on the first attempt).
        var previousErrorCode: String?
        /// The previous call started and its outcome was never recorded (the process died during it).
        var previousCallUnfinished: Bool

        /// The previous attempt got no answer from the platform (no connection, a timeout, an
        /// error page, a crash during the call), so it may have shipped the trade all the same.
        var previousOutcomeUnknown: Bool {
            guard attempt > 1 else { return false }
            if previousCallUnfinished { return true }
            guard let code = previousErrorCode else { return false }
            return code == "TRANSPORT" || code == "MALFORMED_ANSWER" || code.hasPrefix("HTTP_")
        }
    }

    /// Claims up to `limit` due ship-backs, each the earliest unsent parcel of its order.
    static func claimDue(limit: Int, leaseSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> [Claim] {
        var ids: [String] = []
        var unfinished: Set<String> = []
        let due = try await connection.query("""
            SELECT s.shipment_id, s.call_started_at IS NOT NULL FROM marketplace_shipbacks s
            WHERE s.status = 'pending' AND s.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM marketplace_shipbacks e WHERE e.order_id = s.order_id AND e.status IN ('pending', 'waiting_order')
                              AND (e.dispatched_at, e.shipment_id) < (s.dispatched_at, s.shipment_id))
            ORDER BY s.next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        for try await (id, started) in due.decode((String, Bool).self) {
            ids.append(id)
            if started { unfinished.insert(id) }
        }
        guard !ids.isEmpty else { return [] }
        var claims: [Claim] = []
        let rows = try await connection.query("""
            UPDATE marketplace_shipbacks SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)::int), call_started_at = now(),
                   updated_at = now()
            WHERE shipment_id = ANY(\(ids)::text[])
            RETURNING shipment_id, order_id, platform, platform_order_id, operation, carrier, tracking_number, array_to_string(sub_order_ids, ','), is_split, attempts,
                      last_error_code
            """, logger: logger)
        for try await (id, order, platform, tid, operation, carrier, tracking, sub, split, attempts, previous)
            in rows.decode((String, String, String, String, String, String, String, String, Bool, Int, String?).self) {
            claims.append(Claim(shipBack: ShipBack(shipmentId: id, orderId: order, platform: platform, platformOrderId: tid, operation: ShipBack.Operation(rawValue: operation) ?? .ship,
                                                   carrier: carrier, trackingNumber: tracking, subOrderIds: sub.isEmpty ? [] : sub.split(separator: ",").map(String.init), isSplit: split),
                                attempt: attempts, previousErrorCode: previous, previousCallUnfinished: unfinished.contains(id)))
        }
        return claims
    }

    /// What became of one attempt.
    enum Outcome: Sendable, Equatable {
        case sent
        case retry(afterMilliseconds: Int, code: String, message: String)
        case failed(code: String, message: String)
    }

    static func apply(_ outcome: Outcome, to shipmentID: String, connection: PostgresConnection, logger: Logger) async throws {
        switch outcome {
        case .sent:
            try await connection.query("""
                UPDATE marketplace_shipbacks SET status = 'sent', sent_at = now(), call_started_at = NULL, last_error_code = NULL, last_error = NULL, updated_at = now()
                WHERE shipment_id = \(shipmentID) AND status = 'pending'
                """, logger: logger)
        case .retry(let wait, let code, let message):
            try await connection.query("""
                UPDATE marketplace_shipbacks SET next_attempt_at = now() + make_interval(secs => \(Double(wait) / 1_000)), call_started_at = NULL, last_error_code = \(code),
                       last_error = \(message), updated_at = now()
                WHERE shipment_id = \(shipmentID) AND status = 'pending'
                """, logger: logger)
        case .failed(let code, let message):
            try await connection.query("""
                UPDATE marketplace_shipbacks SET status = 'failed', call_started_at = NULL, last_error_code = \(code), last_error = \(message), updated_at = now()
                WHERE shipment_id = \(shipmentID) AND status = 'pending'
                """, logger: logger)
        }
    }

    // MARK: ops

    static let viewColumns = """
        shipment_id, order_id, platform, platform_order_id, operation, carrier, tracking_number, sub_order_ids, is_split, replaces_shipment_id,
        status, skip_reason, attempts, CASE WHEN status = 'pending' THEN next_attempt_at END, last_error_code, last_error, sent_at, dispatched_at
        """

    static func list(status: String?, orderID: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        let rows = try await connection.query("""
            SELECT \(unescaped: viewColumns) FROM marketplace_shipbacks
            WHERE (\(status ?? "") = '' OR status = \(status ?? "")) AND (\(orderID ?? "") = '' OR order_id = \(orderID ?? ""))
            ORDER BY dispatched_at DESC, shipment_id LIMIT \(limit)
            """, logger: logger)
        return try await views(rows)
    }

    static func find(_ shipmentID: String, connection: PostgresConnection, logger: Logger) async throws -> View? {
        try await views(try await connection.query("SELECT \(unescaped: viewColumns) FROM marketplace_shipbacks WHERE shipment_id = \(shipmentID)", logger: logger)).first
    }

    /// Queues a failed ship-back again with fresh attempts; false when it is not failed.
    static func retry(_ shipmentID: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE marketplace_shipbacks SET status = 'pending', attempts = 0, next_attempt_at = now(), call_started_at = NULL, updated_at = now()
            WHERE shipment_id = \(shipmentID) AND status = 'failed' RETURNING shipment_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// Forgets parcels whose order never arrived (integrations started after it was received, or
    /// its channel record was pruned) after `days`; returns how many.
    static func pruneWaiting(olderThanDays days: Int, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            DELETE FROM marketplace_shipbacks WHERE status = 'waiting_order' AND created_at < now() - make_interval(days => \(days)::int) RETURNING shipment_id
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(String.self) { count += 1 }
        return count
    }

    /// Counts by status, for metrics and `omsctl status`.
    static func counts(connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (status, count) in try await connection.query("SELECT status, count(*)::int8 FROM marketplace_shipbacks GROUP BY status", logger: logger)
            .decode((String, Int64).self) { counts[status] = Int(count) }
        return counts
    }

    static func views(_ rows: PostgresRowSequence) async throws -> [View] {
        var views: [View] = []
        for try await row in rows {
            let c = try row.decode((String, String, String?, String?, String?, String, String, [String], Bool, String?, String, String?, Int, Date?, String?, String?, Date?, Date).self)
            views.append(View(shipmentId: c.0, orderId: c.1, platform: c.2, platformOrderId: c.3, operation: c.4, carrier: c.5, trackingNumber: c.6, subOrderIds: c.7,
                              isSplit: c.8, replacesShipmentId: c.9, status: c.10, skipReason: c.11, attempts: c.12, nextAttemptAt: c.13, lastErrorCode: c.14,
                              lastError: c.15, sentAt: c.16, dispatchedAt: c.17))
        }
        return views
    }
}
