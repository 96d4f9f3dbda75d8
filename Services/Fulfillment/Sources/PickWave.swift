import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// A pick wave: open fulfillment orders of one manual warehouse released together, with one pick
/// list in walking order (`PickPath`). Released when `waveMaxOrders` orders wait (size), when the
/// oldest has waited `waveWindowSeconds` (window), or on request (manual).
/// Orders merged for shipping join their group's wave (it may then exceed `waveMaxOrders`).
/// Invariant: an order is in at most one wave; a wave completes when none of its tasks is open.
public struct PickWave: Codable, Hashable, Sendable {
    public var waveId: Int64
    public var warehouseId: String
    public var releasedBy: String
    public var orderCount: Int
    public var taskCount: Int

    /// Releases one wave of the oldest waiting orders of `warehouse` (at most `maxOrders`); nil when
    /// none waits, or, with `onlyIfOlderThan`, when the oldest is younger than that.
    static func release(warehouse: String, releasedBy: String, maxOrders: Int, onlyIfOlderThan cutoff: Date? = nil,
                        connection: PostgresConnection, logger: Logger) async throws -> PickWave? {
        let rows = try await connection.query("""
            SELECT id, created_at FROM fulfillment_orders
            WHERE warehouse_code = \(warehouse) AND status = 'open' AND NOT automatic
            ORDER BY created_at, id LIMIT \(maxOrders) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var orders: [(String, Date)] = []
        for try await row in rows.decode((String, Date).self) { orders.append(row) }
        guard let oldest = orders.first?.1 else { return nil }
        if let cutoff, oldest > cutoff { return nil }
        // Orders merged for shipping (合单) are picked in one wave: the rest of their groups join it.
        let partners = try await connection.query("""
            SELECT id FROM fulfillment_orders
            WHERE status = 'open' AND NOT automatic AND id <> ALL(\(orders.map(\.0))::text[])
              AND merge_group IN (SELECT merge_group FROM fulfillment_orders WHERE id = ANY(\(orders.map(\.0))::text[]) AND merge_group IS NOT NULL)
            ORDER BY id FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var ids = orders.map(\.0)
        for try await id in partners.decode(String.self) { ids.append(id) }
        let waveRows = try await connection.query("""
            INSERT INTO pick_waves (warehouse_code, status, released_by, order_count) VALUES (\(warehouse), 'picking', \(releasedBy), \(ids.count)) RETURNING id
            """, logger: logger)
        var waveID: Int64 = 0
        for try await id in waveRows.decode(Int64.self) { waveID = id }
        try await connection.query("UPDATE fulfillment_orders SET status = 'picking', wave_id = \(waveID) WHERE id = ANY(\(ids)::text[])", logger: logger)

        let lineRows = try await connection.query("""
            SELECT l.fulfillment_order_id, l.line_number, l.sku, l.quantity, b.zone, b.aisle, b.bin
            FROM fulfillment_lines l LEFT JOIN bin_locations b ON b.warehouse_code = \(warehouse) AND b.sku = l.sku
            WHERE l.fulfillment_order_id = ANY(\(ids)::text[]) ORDER BY l.fulfillment_order_id, l.line_number
            """, logger: logger)
        var lines: [(fo: String, line: Int, sku: String, quantity: Int, location: BinLocation?)] = []
        for try await (fo, line, sku, quantity, zone, aisle, bin) in lineRows.decode((String, Int, String, Int, String?, Int?, Int?).self) {
            let location = zone.flatMap { zone in aisle.flatMap { aisle in bin.map { BinLocation(zone: zone, aisle: aisle, bin: $0) } } }
            lines.append((fo, line, sku, quantity, location))
        }
        let order = PickPath.order(lines.map { PickPath.Stop(sku: $0.sku, location: $0.location) })
        let walk = order.map { lines[$0] }
        try await connection.query("""
            INSERT INTO pick_tasks (wave_id, fulfillment_order_id, line_number, sku, location, sequence, quantity, status)
            SELECT \(waveID), f, l, s, NULLIF(loc, ''), n, q, 'open'
            FROM unnest(\(walk.map(\.fo))::text[], \(walk.map { Int32($0.line) })::int4[], \(walk.map(\.sku))::text[], \(walk.map { $0.location?.label ?? "" })::text[],
                        \(walk.map { Int32($0.quantity) })::int4[]) WITH ORDINALITY AS u(f, l, s, loc, q, n)
            """, logger: logger)
        let unslotted = walk.filter { $0.location == nil }.map(\.sku)
        if !unslotted.isEmpty {
            logger.warning("wave has SKUs without a bin location; they are listed last", metadata: ["waveId": "\(waveID)", "skus": "\(Set(unslotted).sorted().prefix(10))"])
        }
        return PickWave(waveId: waveID, warehouseId: warehouse, releasedBy: releasedBy, orderCount: ids.count, taskCount: walk.count)
    }

    /// Releases waves for `warehouse` while at least `maxOrders` orders wait (size trigger).
    static func releaseFull(warehouse: String, maxOrders: Int, connection: PostgresConnection, logger: Logger) async throws -> [PickWave] {
        var waves: [PickWave] = []
        for _ in 0..<50 {
            let waiting = try await connection.query("""
                SELECT count(*) FROM fulfillment_orders WHERE warehouse_code = \(warehouse) AND status = 'open' AND NOT automatic
                """, logger: logger)
            var count = 0
            for try await value in waiting.decode(Int.self) { count = value }
            guard count >= maxOrders, let wave = try await release(warehouse: warehouse, releasedBy: "size", maxOrders: maxOrders, connection: connection, logger: logger) else { return waves }
            waves.append(wave)
        }
        return waves
    }

    /// After picks: fulfillment orders whose tasks are all closed become `picked` (or
    /// `short_closed` when nothing was found), and waves without open tasks complete. Returns the
    /// orders that became `picked`.
    @discardableResult
    static func settle(orders: [String], waves: [Int64], now: Date, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            UPDATE fulfillment_orders f
            SET status = CASE WHEN (SELECT sum(picked) FROM fulfillment_lines WHERE fulfillment_order_id = f.id) > 0 THEN 'picked' ELSE 'short_closed' END,
                picked_at = \(now)
            WHERE f.id = ANY(\(orders)::text[]) AND f.status = 'picking'
              AND NOT EXISTS (SELECT 1 FROM pick_tasks t WHERE t.fulfillment_order_id = f.id AND t.status = 'open')
            RETURNING f.id, f.status
            """, logger: logger)
        var picked: [String] = []
        for try await (id, status) in rows.decode((String, String).self) where status == "picked" { picked.append(id) }
        try await connection.query("""
            UPDATE pick_waves w SET status = 'completed', completed_at = \(now)
            WHERE w.id = ANY(\(waves)::int8[]) AND w.status = 'picking' AND NOT EXISTS (SELECT 1 FROM pick_tasks t WHERE t.wave_id = w.id AND t.status = 'open')
            """, logger: logger)
        return picked
    }
}
