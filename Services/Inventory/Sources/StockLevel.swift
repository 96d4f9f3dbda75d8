/// The levels of one SKU in one warehouse. Invariant: every count is >= 0 and
/// `availableToSell = onHand - reserved - safetyStock` (negative after a count found less than
/// was reserved; never made negative by a reservation).
public struct StockLevel: Hashable, Sendable {
    public var onHand: Int
    public var reserved: Int
    public var quarantined: Int
    public var inTransit: Int
    public var safetyStock: Int
    public var reorderPoint: Int
    public var leadTimeDays: Int

    public init(onHand: Int = 0, reserved: Int = 0, quarantined: Int = 0, inTransit: Int = 0, safetyStock: Int = 0, reorderPoint: Int = 0, leadTimeDays: Int = 7) {
        self.onHand = onHand
        self.reserved = reserved
        self.quarantined = quarantined
        self.inTransit = inTransit
        self.safetyStock = safetyStock
        self.reorderPoint = reorderPoint
        self.leadTimeDays = leadTimeDays
    }

    public var availableToSell: Int { onHand - reserved - safetyStock }

    /// Units a reservation may take now.
    public var reservable: Int { max(0, availableToSell) }

    public var isValid: Bool { onHand >= 0 && reserved >= 0 && quarantined >= 0 && inTransit >= 0 }
}

/// Identifies a stock row.
public struct StockKey: Hashable, Sendable, Comparable {
    public var sku: String
    public var warehouse: String

    public init(sku: String, warehouse: String) {
        self.sku = sku
        self.warehouse = warehouse
    }

    public static func < (a: StockKey, b: StockKey) -> Bool { (a.sku, a.warehouse) < (b.sku, b.warehouse) }
}
