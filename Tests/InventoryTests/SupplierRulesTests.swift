import InventoryService
import Testing

/// The supplier master's pure rules: which supplier a SKU is bought from, how much is ordered
/// for a request, and the reorder point from sales and lead time.
@Suite("Suppliers: preferred offer, minimum quantities, reorder points from sales")
struct SupplierRulesTests {
    @Test("the cheapest offer wins, then the shorter lead time, then the code; no offer, no supplier")
    func preferred() {
        let a = Supplier.Offer(supplierCode: "B-SLOW", leadTimeDays: 9, item: .init(sku: "X", unitCostFen: 1_000))
        let b = Supplier.Offer(supplierCode: "A-FAST", leadTimeDays: 2, item: .init(sku: "X", unitCostFen: 1_000))
        let c = Supplier.Offer(supplierCode: "C-DEAR", leadTimeDays: 1, item: .init(sku: "X", unitCostFen: 1_100))
        #expect(Supplier.preferred([c, a, b])?.supplierCode == "A-FAST")
        #expect(Supplier.preferred([c, a])?.supplierCode == "B-SLOW")
        let twin = Supplier.Offer(supplierCode: "A-AAA", leadTimeDays: 2, item: .init(sku: "X", unitCostFen: 1_000))
        #expect(Supplier.preferred([b, twin])?.supplierCode == "A-AAA" && Supplier.preferred([twin, b])?.supplierCode == "A-AAA")
        #expect(Supplier.preferred([]) == nil)
    }

    @Test("an order is never below the supplier's minimum quantity, and never below what was requested")
    func orderQuantity() {
        let item = Supplier.Item(sku: "X", unitCostFen: 100, minimumOrderQuantity: 24)
        #expect(item.orderQuantity(for: 3) == 24 && item.orderQuantity(for: 24) == 24 && item.orderQuantity(for: 30) == 30)
        #expect(Supplier.Item(sku: "X", unitCostFen: 100).orderQuantity(for: 0) == 1)
    }

    @Test("reorder point = ceil(d*L + 1.65*s*sqrt(L)): steady demand needs no margin, lumpy demand more; no sales, no point")
    func reorderPoint() {
        // 2 a day, every day, 7 days' lead time: 14 exactly.
        #expect(ReorderPointRule.reorderPoint(dailyDemand: Array(repeating: 2, count: 28), leadTimeDays: 7) == 14)
        // The same 56 units in 4 days of 14: mean 2, s = sqrt(24) ≈ 4.899 -> 14 + 1.65*4.899*2.646 = 35.39 -> 36.
        let lumpy = [14, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0]
        #expect(ReorderPointRule.reorderPoint(dailyDemand: lumpy, leadTimeDays: 7) == 36)
        // 5 units once in 28 days, 5 days' lead time: 0.893 + 1.65*0.928*2.236 = 4.32 -> 5.
        #expect(ReorderPointRule.reorderPoint(dailyDemand: [5] + Array(repeating: 0, count: 27), leadTimeDays: 5) == 5)
        #expect(ReorderPointRule.reorderPoint(dailyDemand: Array(repeating: 0, count: 28), leadTimeDays: 7) == 0)
        #expect(ReorderPointRule.reorderPoint(dailyDemand: [], leadTimeDays: 7) == 0)
        #expect(ReorderPointRule.reorderPoint(dailyDemand: Array(repeating: 3, count: 28), leadTimeDays: 0) == 0)
    }
}
