import OMSPlatform
import PostgresNIO

/// The idempotency of `POST /v1/inventory/adjustments`, held by the database: an adjustment id is
/// claimed by inserting it (a concurrent identical request waits on the unique key and then finds
/// it taken), so a retried or doubled request applies its stock change once. Invariant: an id names
/// one SKU, warehouse and reason; reusing it for another is a conflict, never a silent replay.
enum StockAdjustmentClaim {
    /// True when this transaction claimed the id (apply the adjustment); false when it was applied
    /// before (answer as a replay).
    static func claim(_ id: String, sku: String, warehouse: String, reasonCode: String, tx: TransactionContext) async throws -> Bool {
        let inserted = try await tx.connection.query("""
            INSERT INTO stock_adjustments (adjustment_id, sku, warehouse_code, reason_code) VALUES (\(id), \(sku), \(warehouse), \(reasonCode))
            ON CONFLICT (adjustment_id) DO NOTHING RETURNING 1
            """, logger: tx.logger)
        for try await _ in inserted.decode(Int.self) {
            // Adjustments applied before ids were claimed here left only their movements behind.
            let earlier = try await tx.connection.query("SELECT 1 FROM stock_movements WHERE cause_type = 'count' AND cause_id = \(id) LIMIT 1", logger: tx.logger)
            for try await _ in earlier.decode(Int.self) { return false }
            return true
        }
        let existing = try await tx.connection.query("SELECT sku, warehouse_code, reason_code FROM stock_adjustments WHERE adjustment_id = \(id)", logger: tx.logger)
        for try await (claimedSKU, claimedWarehouse, claimedReason) in existing.decode((String, String, String).self)
        where (claimedSKU, claimedWarehouse, claimedReason) != (sku, warehouse, reasonCode) {
            throw APIError.conflict("adjustment_id_reused", "adjustmentId \(id) was already used for another SKU, warehouse or reason")
        }
        return false
    }
}
