import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// A changed delivery address (`order.amended`) re-sources what no warehouse works on yet: while
/// none of the order's reservations is announced (a whole-shipment order waiting for a backorder,
/// or one not yet allocated), its reserved and backordered units are planned again from the new
/// address and, when the best warehouses differ, released (`inventory.released`, reason
/// `address_changed`) and reserved there (backorders as needed), then announced if the order may
/// ship. Once a warehouse holds any of it the order stays where it is (logistics labels the parcel
/// with the new address). An amendment read before the order's verification is kept (sealed) and
/// applied when the order is allocated. Invariant: the units reserved plus backordered per line
/// are the same before and after; repeats change nothing.
extension OrderAllocator {
    static func amendmentSealContext(_ orderID: String) -> String { "\(orderID)|amendment" }

    /// A kept amendment, opened (`allocate` reads them with its one look-up).
    func openAmendment(_ sealed: String, orderID: String) throws -> OrderAmended {
        let text = try tx.vault.open(sealed, context: Self.amendmentSealContext(orderID))
        return try EventCoding.decode(OrderAmended.self, from: Array(text.utf8))
    }

    /// Applies one amendment; returns the SKUs whose stock came back.
    func amend(_ amended: OrderAmended, causedBy event: EventEnvelope, now: Date) async throws -> Set<String> {
        let orderID = amended.orderID
        let rows = try await connection.query("SELECT status, body::text, ships_partially FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
        var found: (String, String, Bool)?
        for try await row in rows.decode((String, String, Bool).self) { found = row }
        guard let (status, body, partial) = found else {
            try await keepForAllocation(amended)
            return []
        }
        guard status == "waiting" || status == "allocated" else { return [] }
        let stored: Order
        do { stored = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8))) } catch {
            throw StoredOrderUnreadable(orderID: orderID, reason: String(describing: error))
        }
        let order = amended.applied(to: stored)
        guard order.deliveryAddress != stored.deliveryAddress else { return [] }
        let sealed = String(decoding: try EventCoding.encode(tx.vault.seal(order)), as: UTF8.self)
        try await connection.query("UPDATE orders SET body = \(sealed)::jsonb, updated_at = now() WHERE order_id = \(orderID)", logger: logger)

        let announced = try await connection.query("SELECT count(*)::int8 FROM reservations WHERE order_id = \(orderID) AND status = 'active' AND announced", logger: logger)
        for try await count in announced.decode(Int.self) where count > 0 {
            logger.info("address amended after a warehouse was told: not re-sourced", metadata: ["orderId": "\(orderID)"])
            return []
        }
        // What the order still needs: its active (unannounced) reservations and open backorders.
        let active = try await connection.query("""
            SELECT id, line_number, sku, warehouse_code, quantity FROM reservations WHERE order_id = \(orderID) AND status = 'active' ORDER BY id
            """, logger: logger)
        var reservations: [(id: Int64, allocation: StockAllocation)] = []
        for try await (id, line, sku, warehouse, quantity) in active.decode((Int64, Int, String, String, Int).self) {
            reservations.append((id, StockAllocation(lineNumber: line, sku: sku, warehouseId: warehouse, quantity: quantity)))
        }
        let open = try await connection.query("""
            SELECT id, line_number, sku, open_quantity, expected_date::timestamptz FROM backorders WHERE order_id = \(orderID) AND status = 'open' ORDER BY id
            """, logger: logger)
        var backorders: [(id: Int64, line: BackorderedLine)] = []
        for try await (id, line, sku, quantity, expected) in open.decode((Int64, Int, String, Int, Date?).self) {
            backorders.append((id, BackorderedLine(lineNumber: line, sku: sku, quantity: quantity, expectedDate: expected)))
        }
        var needed: [Int: (sku: String, quantity: Int)] = [:]
        for (_, allocation) in reservations { needed[allocation.lineNumber, default: (allocation.sku, 0)].quantity += allocation.quantity }
        for (_, line) in backorders { needed[line.lineNumber, default: (line.sku, 0)].quantity += line.quantity }
        guard !needed.isEmpty else { return [] }
        let prices = Dictionary(order.lines.map { ($0.lineNumber, $0.unitPrice.minorUnits) }, uniquingKeysWith: { first, _ in first })
        let demands = needed.keys.sorted().map { SourcingPlanner.Demand(lineNumber: $0, sku: needed[$0]!.sku, quantity: needed[$0]!.quantity, unitPriceFen: prices[$0] ?? 0) }

        // Planned as if the order's own reservations were free again.
        let options = candidates(for: order)
        var stock = available(demands.map(\.sku), at: Set(options.map(\.code)))
        for (_, allocation) in reservations where stock[allocation.sku]?[allocation.warehouseId] != nil || options.contains(where: { $0.code == allocation.warehouseId }) {
            stock[allocation.sku, default: [:]][allocation.warehouseId, default: 0] += allocation.quantity
        }
        let plan = SourcingPlanner(policy: policy).plan(demands, candidates: options, available: stock)
        func key(_ allocations: [StockAllocation]) -> [String: Int] {
            Dictionary(allocations.map { ("\($0.lineNumber)|\($0.warehouseId)", $0.quantity) }, uniquingKeysWith: +)
        }
        let shortNow = Dictionary(backorders.map { ($0.line.lineNumber, $0.line.quantity) }, uniquingKeysWith: +)
        let shortPlanned = Dictionary(plan.shortfalls.map { ($0.lineNumber, $0.quantity) }, uniquingKeysWith: +)
        guard key(plan.allocations) != key(reservations.map(\.allocation)) || shortPlanned != shortNow else { return [] }

        if !reservations.isEmpty {
            try await connection.query("UPDATE reservations SET status = 'released', closed_at = \(now) WHERE id = ANY(\(reservations.map(\.id))::int8[])", logger: logger)
            for (_, allocation) in reservations {
                try ledger.record(.release, StockKey(sku: allocation.sku, warehouse: allocation.warehouseId), reserved: -allocation.quantity,
                                  cause: .order(orderID), reasonCode: "address_changed")
            }
        }
        if !backorders.isEmpty {
            try await connection.query("UPDATE backorders SET status = 'cancelled', closed_at = \(now) WHERE id = ANY(\(backorders.map(\.id))::int8[])", logger: logger)
        }
        try tx.emit(InventoryReleased(orderID: orderID, released: reservations.map(\.allocation), backordersCancelled: backorders.map(\.line),
                                      reasonCode: "address_changed", releasedAt: now),
                    orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
        try await reserve(plan.allocations, orderID: orderID, now: now)
        try await backorder(plan.shortfalls, of: orderID, shipsPartially: partial, requesting: nil, causedBy: event, now: now)
        try await connection.query("""
            UPDATE orders SET status = \(plan.shortfalls.isEmpty ? "allocated" : "waiting"), updated_at = now() WHERE order_id = \(orderID)
            """, logger: logger)
        try await announce(orderID, cause: "re-sourced", causedBy: event, now: now)
        logger.info("order re-sourced for its new address", metadata: ["orderId": "\(orderID)"])
        return Set(reservations.map(\.allocation.sku))
    }

    /// Merges the amendment into the one kept for an order not yet allocated.
    private func keepForAllocation(_ amended: OrderAmended) async throws {
        let rows = try await connection.query("SELECT sealed_amendment FROM order_amendments WHERE order_id = \(amended.orderID)", logger: logger)
        var kept: OrderAmended?
        for try await sealed in rows.decode(String.self) { kept = try openAmendment(sealed, orderID: amended.orderID) }
        let merged = kept.map { $0.merged(with: amended) } ?? amended
        let sealed = tx.vault.seal(String(decoding: try EventCoding.encode(merged), as: UTF8.self), context: Self.amendmentSealContext(amended.orderID))
        try await connection.query("""
            INSERT INTO order_amendments (order_id, sealed_amendment, amended_at) VALUES (\(amended.orderID), \(sealed), \(merged.amendedAt))
            ON CONFLICT (order_id) DO UPDATE SET sealed_amendment = excluded.sealed_amendment, amended_at = excluded.amended_at
            """, logger: logger)
    }
}
