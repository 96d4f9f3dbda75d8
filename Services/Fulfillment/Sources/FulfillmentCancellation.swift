import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// What `order.cancelled` does in the warehouse. Work not yet packed stops: open pick tasks are
/// cancelled (picked units go back to their bins) and `fulfillment.cancelled` tells inventory to
/// release exactly the reserved units that were not written off by a short pick. Work already
/// packed is not undone: the refusal is logged and `fulfillment.cancel-refused` tells intake and
/// customer service that the parcel ships and a return is needed.
/// Invariant: each fulfillment order is cancelled or refused at most once; the order is remembered
/// as cancelled so that later reservations start no work.
enum FulfillmentCancellation {
    static func cancel(_ orders: [(orderID: String, event: EventEnvelope)], now: Date, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        let ids = orders.map(\.orderID)
        try await connection.query("""
            INSERT INTO order_cancellations (order_id, cancelled_at) SELECT DISTINCT o, \(now)::timestamptz FROM unnest(\(ids)::text[]) AS u(o)
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
        let cause = Dictionary(orders.map { ($0.orderID, $0.event) }, uniquingKeysWith: { first, _ in first })
        let rows = try await connection.query("""
            SELECT id, order_id, warehouse_code, status, wave_id FROM fulfillment_orders WHERE order_id = ANY(\(ids)::text[]) ORDER BY id FOR UPDATE
            """, logger: logger)
        var stopping: [(id: String, orderID: String, warehouse: String)] = []
        var refusing: [(id: String, orderID: String, warehouse: String)] = []
        var waves = Set<Int64>()
        for try await (id, orderID, warehouse, status, wave) in rows.decode((String, String, String, String, Int64?).self) {
            switch status {
            case "awaiting_payment", "open", "picking", "picked": stopping.append((id, orderID, warehouse)); if let wave { waves.insert(wave) }
            case "packed": refusing.append((id, orderID, warehouse))
            default: continue
            }
        }
        if !stopping.isEmpty {
            let stoppingIDs = stopping.map(\.id)
            try await connection.query("UPDATE pick_tasks SET status = 'cancelled', updated_at = \(now) WHERE fulfillment_order_id = ANY(\(stoppingIDs)::text[]) AND status = 'open'", logger: logger)
            try await connection.query("UPDATE fulfillment_orders SET status = 'cancelled', cancelled_at = \(now), blocked_reason = NULL WHERE id = ANY(\(stoppingIDs)::text[])", logger: logger)
            let lineRows = try await connection.query("""
                SELECT fulfillment_order_id, line_number, sku, quantity - short FROM fulfillment_lines
                WHERE fulfillment_order_id = ANY(\(stoppingIDs)::text[]) AND quantity > short ORDER BY fulfillment_order_id, line_number
                """, logger: logger)
            var released: [String: [ParcelLine]] = [:]
            for try await (id, line, sku, units) in lineRows.decode((String, Int, String, Int).self) {
                released[id, default: []].append(ParcelLine(lineNumber: line, sku: sku, quantity: units))
            }
            for fo in stopping {
                guard let lines = released[fo.id] else { continue }
                try context.emit(FulfillmentCancelled(fulfillmentOrderId: fo.id, orderID: fo.orderID, warehouseId: fo.warehouse, lines: lines,
                                                      reasonCode: "order_cancelled", cancelledAt: now),
                                 orderID: fo.orderID, topic: TopicCatalogue.fulfillmentEvents, causedBy: cause[fo.orderID])
            }
            if !waves.isEmpty {
                try await PickWave.settle(orders: [], waves: Array(waves), now: now, connection: connection, logger: logger)
            }
        }
        if !refusing.isEmpty {
            let logged = try await connection.query("""
                INSERT INTO cancellation_refusals (fulfillment_order_id, order_id, reason_code, refused_at)
                SELECT i, o, 'already_packed', \(now) FROM unnest(\(refusing.map(\.id))::text[], \(refusing.map(\.orderID))::text[]) AS u(i, o)
                ON CONFLICT DO NOTHING RETURNING fulfillment_order_id
                """, logger: logger)
            var newly = Set<String>()
            for try await id in logged.decode(String.self) { newly.insert(id) }
            for fo in refusing where newly.contains(fo.id) {
                logger.warning("cancellation refused: already packed", metadata: ["orderId": "\(fo.orderID)", "fulfillmentOrderId": "\(fo.id)"])
                try context.emit(FulfillmentCancelRefused(fulfillmentOrderId: fo.id, orderID: fo.orderID, warehouseId: fo.warehouse, reasonCode: "already_packed", refusedAt: now),
                                 orderID: fo.orderID, topic: TopicCatalogue.fulfillmentEvents, causedBy: cause[fo.orderID])
            }
        }
    }
}
