/// The reorder point of a SKU in a warehouse from its recent sales and its supplier's lead time:
///
///     reorder point = ceil(d * L + z * s * sqrt(L))
///
/// where d is the mean daily demand over the window (units reserved per day, days without demand
/// counted as 0), s the standard deviation of daily demand, L the lead time in days and z the
/// service factor (1.65: stock lasts through the lead time on about 95 % of replenishment cycles).
/// The first term covers the expected demand while the order is on its way, the second is the
/// safety margin for demand above the mean. Invariant: pure; 0 without demand (no stock is kept
/// for what does not sell), never negative.
public enum ReorderPointRule {
    public static let windowDays = 28
    public static let serviceFactor = 1.65

    public static func reorderPoint(dailyDemand: [Int], leadTimeDays: Int, serviceFactor z: Double = serviceFactor) -> Int {
        guard !dailyDemand.isEmpty, dailyDemand.contains(where: { $0 > 0 }) else { return 0 }
        let n = Double(dailyDemand.count)
        let mean = Double(dailyDemand.reduce(0, +)) / n
        let variance = dailyDemand.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        let lead = Double(max(0, leadTimeDays))
        // Rounded to a millionth before the ceiling, so 2.0000000001 from floating point stays 2.
        let value = (mean * lead + z * variance.squareRoot() * lead.squareRoot()) * 1_000_000
        return max(0, Int((value.rounded() / 1_000_000).rounded(.up)))
    }
}
