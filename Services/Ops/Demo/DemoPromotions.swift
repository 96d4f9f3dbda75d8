import OMSDemo
import IntakeService
import OMSDomain

/// The promotions the demo catalog's seed (intake migration 110) stores: "满300减30" on everything
/// and 10% off glassware. The load generator prices its orders with them, so every generated order
/// is accepted. Invariant: equal to what the frozen seed holds (`DemoSeedTests`).
public enum DemoPromotions {
    public static let all: [Promotion] = [
        Promotion(id: "DEMO-M300-30", name: "满300减30", kind: .spendThreshold(threshold: .fen(30_000), reduction: .fen(3_000), repeating: false, scope: .allItems), priority: 10),
        Promotion(id: "DEMO-GLASS-10", name: "玻璃器皿九折", kind: .percentageOff(percent: 10, scope: .categories(["glassware"])), priority: 20),
    ]
}
