import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The stock rows of some SKUs, locked for one transaction, and the movements recorded against
/// them. Every change to a level goes through `record`, which appends a movement with its cause,
/// so each level always equals the sum of its movements' deltas. `flush` writes levels and
/// movements and emits what the change implies: `inventory.availability-changed` when a SKU
/// becomes sold out everywhere (or sellable again) and `inventory.replenishment-requested` when a
/// row falls below its reorder point.
///
/// Invariant: rows are locked per SKU across all warehouses, always in (sku, warehouse) order, so
/// two transactions touching the same SKU serialize and the totals seen here are exact.
final class StockLedger {
    enum MovementKind: String {
        case receipt, reservation, release, shipment, tillSale = "till_sale", `return`, quarantine, adjustment
        case shortPick = "short_pick", transferOut = "transfer_out", transferIn = "transfer_in"
    }

    /// What caused a movement: an order, a receipt, a count, a transfer, a return, a shipment.
    struct Cause {
        var type: String
        var id: String
        static func order(_ id: String) -> Cause { Cause(type: "order", id: id) }
    }

    private struct Movement {
        var kind: MovementKind
        var key: StockKey
        var deltas: (onHand: Int, reserved: Int, quarantined: Int, inTransit: Int)
        var cause: Cause
        var reasonCode: String?
        var actor: String?
    }

    let context: TransactionContext
    private var before: [StockKey: StockLevel]
    private(set) var levels: [StockKey: StockLevel]
    private var movements: [Movement] = []
    private var changed: Set<StockKey> = []
    let lockedSKUs: Set<String>

    private init(context: TransactionContext, levels: [StockKey: StockLevel], skus: Set<String>) {
        self.context = context
        self.before = levels
        self.levels = levels
        self.lockedSKUs = skus
    }

    /// Locks every stock row of `skus`, first creating the rows in `creating` that do not exist
    /// (their warehouses must exist).
    static func lock(skus: Set<String>, creating: Set<StockKey> = [], context: TransactionContext) async throws -> StockLedger {
        let connection = context.connection, logger = context.logger
        if !creating.isEmpty {
            let keys = creating.sorted()
            try await connection.query("""
                INSERT INTO stock (sku, warehouse_code)
                SELECT s, w FROM unnest(\(keys.map(\.sku))::text[], \(keys.map(\.warehouse))::text[]) AS u(s, w)
                ON CONFLICT (sku, warehouse_code) DO NOTHING
                """, logger: logger)
        }
        let all = skus.union(creating.map(\.sku))
        var levels: [StockKey: StockLevel] = [:]
        if !all.isEmpty {
            let rows = try await connection.query("""
                SELECT sku, warehouse_code, on_hand, reserved, quarantined, in_transit, safety_stock, reorder_point, lead_time_days
                FROM stock WHERE sku = ANY(\(all.sorted())::text[]) ORDER BY sku, warehouse_code FOR UPDATE
                """, logger: logger)
            for try await (sku, warehouse, onHand, reserved, quarantined, inTransit, safety, reorderPoint, leadTime) in rows.decode((String, String, Int, Int, Int, Int, Int, Int, Int).self) {
                levels[StockKey(sku: sku, warehouse: warehouse)] = StockLevel(onHand: onHand, reserved: reserved, quarantined: quarantined, inTransit: inTransit,
                                                                              safetyStock: safety, reorderPoint: reorderPoint, leadTimeDays: leadTime)
            }
        }
        return StockLedger(context: context, levels: levels, skus: all)
    }

    func level(_ key: StockKey) -> StockLevel? { levels[key] }

    /// Units reservable now, per warehouse, for `sku`.
    func reservable(_ sku: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for (key, level) in levels where key.sku == sku { result[key.warehouse] = level.reservable }
        return result
    }

    /// Applies one movement. Throws (rolling the transaction back) if a level would go negative or
    /// the row was not locked.
    func record(_ kind: MovementKind, _ key: StockKey, onHand: Int = 0, reserved: Int = 0, quarantined: Int = 0, inTransit: Int = 0,
                cause: Cause, reasonCode: String? = nil, actor: String? = nil) throws {
        guard var level = levels[key] else { throw HandlerRejection("no stock row for \(key.sku) in \(key.warehouse)") }
        level.onHand += onHand
        level.reserved += reserved
        level.quarantined += quarantined
        level.inTransit += inTransit
        guard level.isValid else {
            throw HandlerRejection("\(kind.rawValue) of \(key.sku) in \(key.warehouse) would make a level negative")
        }
        levels[key] = level
        changed.insert(key)
        movements.append(Movement(kind: kind, key: key, deltas: (onHand, reserved, quarantined, inTransit), cause: cause, reasonCode: reasonCode, actor: actor))
    }

    /// Changes the planning numbers of a row (no movement: they are not stock).
    func setPlanning(_ key: StockKey, safetyStock: Int?, reorderPoint: Int?, leadTimeDays: Int?) {
        guard var level = levels[key] else { return }
        if let safetyStock { level.safetyStock = safetyStock }
        if let reorderPoint { level.reorderPoint = reorderPoint }
        if let leadTimeDays { level.leadTimeDays = leadTimeDays }
        levels[key] = level
        changed.insert(key)
    }

    /// Sellable units of `sku` over all warehouses in `levels`.
    private static func sellable(_ sku: String, in levels: [StockKey: StockLevel]) -> Int {
        levels.reduce(0) { $0 + ($1.key.sku == sku ? max(0, $1.value.availableToSell) : 0) }
    }

    /// Writes the changed rows and the movements, then emits the implied events.
    func flush(now: Date = Date()) async throws {
        guard !changed.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        let keys = changed.sorted()
        let rows = keys.map { levels[$0]! }
        try await connection.query("""
            UPDATE stock SET on_hand = u.oh, reserved = u.r, quarantined = u.q, in_transit = u.t, safety_stock = u.ss, reorder_point = u.rp,
                   lead_time_days = u.lt, updated_at = now()
            FROM unnest(\(keys.map(\.sku))::text[], \(keys.map(\.warehouse))::text[], \(rows.map(\.onHand))::int8[], \(rows.map(\.reserved))::int8[],
                        \(rows.map(\.quarantined))::int8[], \(rows.map(\.inTransit))::int8[], \(rows.map(\.safetyStock))::int8[],
                        \(rows.map(\.reorderPoint))::int8[], \(rows.map(\.leadTimeDays))::int8[]) AS u(s, w, oh, r, q, t, ss, rp, lt)
            WHERE stock.sku = u.s AND stock.warehouse_code = u.w
            """, logger: logger)
        if !movements.isEmpty {
            let m = movements
            try await connection.query("""
                INSERT INTO stock_movements (sku, warehouse_code, kind, on_hand_delta, reserved_delta, quarantined_delta, in_transit_delta,
                                             cause_type, cause_id, reason_code, actor, occurred_at)
                SELECT s, w, k, oh, r, q, t, ct, ci, NULLIF(rc, ''), NULLIF(a, ''), \(now)
                FROM unnest(\(m.map(\.key.sku))::text[], \(m.map(\.key.warehouse))::text[], \(m.map(\.kind.rawValue))::text[],
                            \(m.map(\.deltas.onHand))::int8[], \(m.map(\.deltas.reserved))::int8[], \(m.map(\.deltas.quarantined))::int8[],
                            \(m.map(\.deltas.inTransit))::int8[], \(m.map(\.cause.type))::text[], \(m.map(\.cause.id))::text[],
                            \(m.map { $0.reasonCode ?? "" })::text[], \(m.map { $0.actor ?? "" })::text[])
                     WITH ORDINALITY AS u(s, w, k, oh, r, q, t, ct, ci, rc, a, n)
                ORDER BY n
                """, logger: logger)
        }
        // Every change of a SKU's available-to-sell (summed over warehouses), once per transaction:
        // intake refuses sold-out SKUs by it and integrations feeds marketplaces the quantity.
        // Stamped now, while this transaction holds every stock row of the SKU, so that of two
        // changes of one SKU the later one always carries the later time (events of two inventory
        // processes may reach the topic in either order; consumers keep the latest by this time).
        let stamped = Date()
        for sku in Set(keys.map(\.sku)).sorted() {
            let was = Self.sellable(sku, in: before), now_ = Self.sellable(sku, in: levels)
            if was != now_ {
                try context.emit(AvailabilityChanged(sku: sku, availableToSell: now_, soldOut: now_ <= 0, changedAt: stamped),
                                 orderID: AvailabilityChanged.key(sku: sku), topic: TopicCatalogue.inventoryEvents)
            }
        }
        for key in keys {
            guard let old = before[key], let new = levels[key], ReplenishmentRule.crossedReorderPoint(before: old, after: new) else { continue }
            try await requestReplenishment(key, level: new, now: now)
        }
        before = levels
        movements = []
        changed = []
    }

    private func requestReplenishment(_ key: StockKey, level: StockLevel, now: Date) async throws {
        let connection = context.connection, logger = context.logger
        let window = now.addingTimeInterval(-Double(ReplenishmentRule.demandWindowDays) * 86_400)
        let rows = try await connection.query("""
            SELECT
              (SELECT COALESCE(sum(quantity), 0) FROM reservations WHERE sku = \(key.sku) AND warehouse_code = \(key.warehouse) AND created_at >= \(window))::int8,
              (SELECT COALESCE(sum(l.quantity_ordered - l.quantity_received), 0) FROM purchase_order_lines l JOIN purchase_orders p USING (po_number)
                 WHERE l.sku = \(key.sku) AND p.warehouse_code = \(key.warehouse) AND p.status IN ('open', 'draft'))::int8
            """, logger: logger)
        var demand = 0, onOrder = 0
        for try await (d, o) in rows.decode((Int, Int).self) { (demand, onOrder) = (d, o) }
        let suggested = ReplenishmentRule.suggestedQuantity(level: level, recentDemand: demand, onOrder: onOrder)
        let inserted = try await connection.query("""
            INSERT INTO replenishment_requests (sku, warehouse_code, available_to_sell, reorder_point, suggested_quantity, status, requested_at)
            VALUES (\(key.sku), \(key.warehouse), \(level.availableToSell), \(level.reorderPoint), \(suggested), 'open', \(now))
            ON CONFLICT (sku, warehouse_code) WHERE status = 'open' DO NOTHING
            RETURNING id
            """, logger: logger)
        for try await id in inserted.decode(Int64.self) {
            try context.emit(ReplenishmentRequested(requestID: id, sku: key.sku, warehouseId: key.warehouse, availableToSell: level.availableToSell,
                                                    reorderPoint: level.reorderPoint, recentDemand: demand, suggestedQuantity: suggested, requestedAt: now),
                             orderID: AvailabilityChanged.key(sku: key.sku), topic: TopicCatalogue.inventoryEvents)
            // The SKU's preferred supplier gets it on its draft purchase order at once.
            try await PurchaseDraftStore.draft([.init(requestID: id, sku: key.sku, quantity: suggested, warehouse: key.warehouse)], now: now, tx: context)
        }
    }
}
