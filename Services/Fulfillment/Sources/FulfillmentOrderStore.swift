import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of the fulfillment order record as the packing station and customer service read it.
/// Invariant: read-only; lines come in line-number order and parcels in packing order.
enum FulfillmentOrderStore {
    /// The fulfillment order `id`, or every fulfillment order of customer order `orderID` (oldest
    /// first), with lines and packed parcels.
    static func views(id: String?, orderID: String?, connection: PostgresConnection, logger: Logger) async throws -> [PackingRoutes.FulfillmentOrderView] {
        let rows = if let id {
            try await connection.query("""
                SELECT id, order_id, warehouse_code, status, automatic, wave_id, blocked_reason, created_at, picked_at, packed_at, packed_by, cancelled_at, merge_group
                FROM fulfillment_orders WHERE id = \(id)
                """, logger: logger)
        } else {
            try await connection.query("""
                SELECT id, order_id, warehouse_code, status, automatic, wave_id, blocked_reason, created_at, picked_at, packed_at, packed_by, cancelled_at, merge_group
                FROM fulfillment_orders WHERE order_id = \(orderID ?? "") ORDER BY created_at, id
                """, logger: logger)
        }
        var views: [PackingRoutes.FulfillmentOrderView] = []
        var groups: [String: String] = [:]
        for try await (fo, order, warehouse, status, automatic, wave, blocked, created, picked, packed, packer, cancelled, group)
            in rows.decode((String, String, String, String, Bool, Int64?, String?, Date, Date?, Date?, String?, Date?, String?).self) {
            views.append(PackingRoutes.FulfillmentOrderView(fulfillmentOrderId: fo, orderId: order, warehouseId: warehouse, status: status, automatic: automatic, waveId: wave,
                                              blockedReason: blocked, createdAt: created, pickedAt: picked, packedAt: packed, packedBy: packer,
                                              cancelledAt: cancelled, lines: [], parcels: []))
            if let group { groups[fo] = group }
        }
        guard !views.isEmpty else { return [] }
        let ids = views.map(\.fulfillmentOrderId)
        // 合单: the other orders packed in the same boxes (those still going).
        if !groups.isEmpty {
            let members = try await connection.query("""
                SELECT id, merge_group FROM fulfillment_orders
                WHERE merge_group = ANY(\(Array(Set(groups.values)))::text[]) AND status NOT IN ('cancelled', 'short_closed') ORDER BY id
                """, logger: logger)
            for try await (member, group) in members.decode((String, String).self) {
                for (index, view) in views.enumerated() where groups[view.fulfillmentOrderId] == group && view.fulfillmentOrderId != member {
                    views[index].mergedWith = (views[index].mergedWith ?? []) + [member]
                }
            }
        }
        let lines = try await connection.query("""
            SELECT fulfillment_order_id, line_number, sku, quantity, picked, short FROM fulfillment_lines WHERE fulfillment_order_id = ANY(\(ids)::text[]) ORDER BY line_number
            """, logger: logger)
        for try await (fo, line, sku, quantity, picked, short) in lines.decode((String, Int, String, Int, Int, Int).self) {
            views[ids.firstIndex(of: fo)!].lines.append(PackingRoutes.Line(lineNumber: line, sku: sku, quantity: quantity, picked: picked, short: short))
        }
        let parcels = try await connection.query("SELECT fulfillment_order_id, body::text FROM parcels WHERE fulfillment_order_id = ANY(\(ids)::text[]) ORDER BY id", logger: logger)
        for try await (fo, body) in parcels.decode((String, String).self) {
            views[ids.firstIndex(of: fo)!].parcels.append(try EventCoding.decode(PackedParcel.self, from: Array(body.utf8)))
        }
        return views
    }
}
