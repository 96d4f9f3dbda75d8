/// How an order that no single warehouse can ship whole is split (data, not code; `GET|PUT
/// /v1/inventory/sourcing-policy`). Invariant: all limits are at least 1 and the threshold is in fen.
public struct SourcingPolicy: Codable, Hashable, Sendable {
    /// A line whose unit price is below this is never split across warehouses: it ships from one
    /// warehouse, and what that warehouse lacks waits as a backorder.
    public var lowValueUnitPriceFen: Int64
    /// A further warehouse joins a split only if it ships at least this many whole lines.
    public var minLinesPerExtraParcel: Int
    /// At most this many warehouses ship one order.
    public var maxWarehousesPerOrder: Int

    public init(lowValueUnitPriceFen: Int64 = 2_000, minLinesPerExtraParcel: Int = 1, maxWarehousesPerOrder: Int = 3) {
        self.lowValueUnitPriceFen = lowValueUnitPriceFen
        self.minLinesPerExtraParcel = minLinesPerExtraParcel
        self.maxWarehousesPerOrder = maxWarehousesPerOrder
    }

    /// Field problems of a policy sent by an operator; empty when valid.
    public var problems: [(field: String, reason: String)] {
        var found: [(String, String)] = []
        if lowValueUnitPriceFen < 0 { found.append(("lowValueUnitPriceFen", "must not be negative")) }
        if minLinesPerExtraParcel < 1 || minLinesPerExtraParcel > 100 { found.append(("minLinesPerExtraParcel", "must be 1-100")) }
        if maxWarehousesPerOrder < 1 || maxWarehousesPerOrder > 20 { found.append(("maxWarehousesPerOrder", "must be 1-20")) }
        return found
    }
}
