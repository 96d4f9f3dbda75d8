/// When and how much to reorder. Invariant: pure; a request is raised only when available-to-sell
/// crosses from at-or-above the reorder point to below it, and the suggestion is never below the
/// shortfall to the reorder point.
public enum ReplenishmentRule {
    /// Days of recent demand used for the suggestion.
    public static let demandWindowDays = 14

    public static func crossedReorderPoint(before: StockLevel, after: StockLevel) -> Bool {
        after.reorderPoint > 0 && after.availableToSell < after.reorderPoint && before.availableToSell >= before.reorderPoint
    }

    /// Enough to get back to the reorder point and cover another `demandWindowDays` of demand,
    /// minus what is already coming (in transit, on open purchase orders).
    public static func suggestedQuantity(level: StockLevel, recentDemand: Int, onOrder: Int) -> Int {
        let toReorderPoint = level.reorderPoint - level.availableToSell
        let cover = level.reorderPoint + recentDemand - level.availableToSell - level.inTransit - onOrder
        return max(1, toReorderPoint, cover)
    }
}
