import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// Merge groups (合单) as stored: a new fulfillment order waiting for a wave joins the group of
/// the oldest order with its key waiting in the same warehouse within the window. Invariant: a
/// group's members are in one warehouse and were all `open` when they joined; a member is never
/// in two groups.
extension FulfillmentOrderStore {
    struct MergeCandidate: Sendable {
        var fulfillmentOrderID: String
        var orderID: String
        var warehouse: String
        var key: String
        var windowSeconds: Int
    }

    /// Records each candidate's key and puts it in a group with its match, if one waits. Returns
    /// the groups joined, by fulfillment order.
    @discardableResult
    static func joinMergeGroups(_ candidates: [MergeCandidate], now: Date, connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        var joined: [String: String] = [:]
        for candidate in candidates {
            try await connection.query("UPDATE fulfillment_orders SET merge_key = \(candidate.key) WHERE id = \(candidate.fulfillmentOrderID) AND status = 'open'", logger: logger)
            let since = now.addingTimeInterval(-Double(candidate.windowSeconds))
            let rows = try await connection.query("""
                SELECT id, merge_group FROM fulfillment_orders
                WHERE warehouse_code = \(candidate.warehouse) AND merge_key = \(candidate.key) AND status = 'open'
                  AND id <> \(candidate.fulfillmentOrderID) AND order_id <> \(candidate.orderID) AND created_at >= \(since)
                ORDER BY created_at, id LIMIT 1 FOR UPDATE
                """, logger: logger)
            var match: (id: String, group: String?)?
            for try await (id, group) in rows.decode((String, String?).self) { match = (id, group) }
            guard let match else { continue }
            let group = match.group ?? match.id
            try await connection.query("""
                UPDATE fulfillment_orders SET merge_group = \(group) WHERE id = ANY(\([match.id, candidate.fulfillmentOrderID])::text[])
                """, logger: logger)
            joined[candidate.fulfillmentOrderID] = group
            logger.info("orders merged for shipping", metadata: ["mergeGroup": "\(group)", "fulfillmentOrder": "\(candidate.fulfillmentOrderID)"])
        }
        return joined
    }
}
