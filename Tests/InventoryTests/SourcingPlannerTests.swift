import InventoryService
import OMSDomain
import Testing

@Suite("Sourcing plan: one warehouse if possible, nearest then cheapest, documented split policy")
struct SourcingPlannerTests {
    let near = SourcingPlanner.Candidate(code: "NEAR", proximity: 0, costPerParcelFen: 900)
    let mid = SourcingPlanner.Candidate(code: "MID", proximity: 2, costPerParcelFen: 700)
    let cheap = SourcingPlanner.Candidate(code: "CHEAP", proximity: 2, costPerParcelFen: 400)
    let planner = SourcingPlanner(policy: SourcingPolicy())

    func demand(_ line: Int, _ sku: String, _ quantity: Int, _ price: Int64 = 10_000) -> SourcingPlanner.Demand {
        .init(lineNumber: line, sku: sku, quantity: quantity, unitPriceFen: price)
    }

    @Test("the nearest warehouse that ships everything wins, even if a farther one is cheaper")
    func nearestWhole() {
        let plan = planner.plan([demand(1, "A", 2), demand(2, "B", 1)], candidates: [cheap, near, mid],
                                available: ["A": ["NEAR": 2, "CHEAP": 5], "B": ["NEAR": 1, "CHEAP": 5]])
        #expect(plan.warehouses == ["NEAR"] && plan.shortfalls.isEmpty)
    }

    @Test("equally near: the cheaper per parcel")
    func cheapestOnTie() {
        let plan = planner.plan([demand(1, "A", 1)], candidates: [mid, cheap], available: ["A": ["MID": 1, "CHEAP": 1]])
        #expect(plan.warehouses == ["CHEAP"])
    }

    @Test("a warehouse that cannot ship the whole order loses to one that can, however near")
    func wholeBeatsNear() {
        let plan = planner.plan([demand(1, "A", 1), demand(2, "B", 1)], candidates: [near, mid],
                                available: ["A": ["NEAR": 1, "MID": 1], "B": ["MID": 1]])
        #expect(plan.warehouses == ["MID"])
    }

    @Test("split: the warehouse shipping most lines whole first, then the rest")
    func split() {
        let plan = planner.plan([demand(1, "A", 1), demand(2, "B", 1), demand(3, "C", 1)], candidates: [near, mid],
                                available: ["A": ["NEAR": 1], "B": ["MID": 1], "C": ["MID": 1]])
        #expect(plan.allocations.filter { $0.warehouseId == "MID" }.map(\.lineNumber) == [2, 3])
        #expect(plan.allocations.filter { $0.warehouseId == "NEAR" }.map(\.lineNumber) == [1])
        #expect(plan.shortfalls.isEmpty)
    }

    @Test("a low-value line is never split across warehouses; a valuable one is")
    func lowValue() {
        let available = ["A": ["NEAR": 2, "MID": 2]]
        let cheapLine = planner.plan([demand(1, "A", 3, 500)], candidates: [near, mid], available: available)
        #expect(cheapLine.allocations == [StockAllocation(lineNumber: 1, sku: "A", warehouseId: "NEAR", quantity: 2)])
        #expect(cheapLine.shortfalls.map(\.quantity) == [1])
        let valuable = planner.plan([demand(1, "A", 3, 50_000)], candidates: [near, mid], available: available)
        #expect(valuable.allocations.map(\.quantity) == [2, 1] && valuable.warehouses == ["MID", "NEAR"] && valuable.shortfalls.isEmpty)
    }

    @Test("a further parcel needs minLinesPerExtraParcel whole lines, and at most maxWarehousesPerOrder ship")
    func limits() {
        let strict = SourcingPlanner(policy: SourcingPolicy(lowValueUnitPriceFen: 2_000, minLinesPerExtraParcel: 2, maxWarehousesPerOrder: 2))
        let plan = strict.plan([demand(1, "A", 1, 100), demand(2, "B", 1, 100), demand(3, "C", 1, 100)], candidates: [near, mid],
                               available: ["A": ["NEAR": 1], "B": ["NEAR": 1], "C": ["MID": 1]])
        #expect(plan.allocations.map(\.warehouseId) == ["NEAR", "NEAR"] && plan.shortfalls.map(\.sku) == ["C"])   // no one-line parcel from MID
        let one = SourcingPlanner(policy: SourcingPolicy(maxWarehousesPerOrder: 1))
            .plan([demand(1, "A", 1), demand(2, "B", 1)], candidates: [near, mid], available: ["A": ["NEAR": 1], "B": ["MID": 1]])
        #expect(one.warehouses == ["NEAR"] && one.shortfalls.map(\.sku) == ["B"])
    }

    @Test("never more than available, never more than ordered; two lines of one SKU share its stock")
    func bounds() {
        let plan = planner.plan([demand(1, "A", 2), demand(2, "A", 2)], candidates: [near], available: ["A": ["NEAR": 3]])
        #expect(plan.allocations.reduce(0) { $0 + $1.quantity } == 3)
        #expect(plan.shortfalls.reduce(0) { $0 + $1.quantity } == 1)
        let nothing = planner.plan([demand(1, "A", 2)], candidates: [near], available: [:])
        #expect(nothing.allocations.isEmpty && nothing.shortfalls.map(\.quantity) == [2])
    }
}

@Suite("Delivery proximity tiers")
struct DeliveryProximityTests {
    func address(_ province: String, _ city: String) -> Address { Address(province: province, city: city, district: "区", street: "路 1 号") }

    @Test("city, province, region, elsewhere; suffixes ignored")
    func tiers() {
        #expect(DeliveryProximity.tier(warehouseProvince: "浙江省", city: "杭州市", to: address("浙江", "杭州")) == DeliveryProximity.sameCity)
        #expect(DeliveryProximity.tier(warehouseProvince: "浙江省", city: "杭州市", to: address("浙江省", "宁波市")) == DeliveryProximity.sameProvince)
        #expect(DeliveryProximity.tier(warehouseProvince: "上海市", city: "上海市", to: address("江苏省", "南京市")) == DeliveryProximity.sameRegion)
        #expect(DeliveryProximity.tier(warehouseProvince: "广东省", city: "广州市", to: address("广西壮族自治区", "南宁市")) == DeliveryProximity.sameRegion)
        #expect(DeliveryProximity.tier(warehouseProvince: "广东省", city: "广州市", to: address("四川省", "成都市")) == DeliveryProximity.elsewhere)
        #expect(DeliveryProximity.tier(warehouseProvince: "广东省", city: "广州市", to: nil) == DeliveryProximity.elsewhere)
    }
}

@Suite("Replenishment rule")
struct ReplenishmentRuleTests {
    @Test("fires only when crossing the reorder point downwards")
    func crossing() {
        let above = StockLevel(onHand: 10, reorderPoint: 8), below = StockLevel(onHand: 7, reorderPoint: 8), further = StockLevel(onHand: 5, reorderPoint: 8)
        #expect(ReplenishmentRule.crossedReorderPoint(before: above, after: below))
        #expect(!ReplenishmentRule.crossedReorderPoint(before: below, after: further))
        #expect(!ReplenishmentRule.crossedReorderPoint(before: StockLevel(onHand: 10), after: StockLevel(onHand: 0)))   // no reorder point
    }

    @Test("suggests the gap to the reorder point plus recent demand, minus what is coming")
    func suggestion() {
        let level = StockLevel(onHand: 6, reserved: 1, inTransit: 2, reorderPoint: 8)   // available 5
        #expect(ReplenishmentRule.suggestedQuantity(level: level, recentDemand: 20, onOrder: 4) == 8 + 20 - 5 - 2 - 4)
        #expect(ReplenishmentRule.suggestedQuantity(level: level, recentDemand: 0, onOrder: 100) == 3)
    }

    @Test("available-to-sell subtracts reserved and safety stock")
    func availableToSell() {
        let level = StockLevel(onHand: 10, reserved: 4, safetyStock: 3)
        #expect(level.availableToSell == 3 && level.reservable == 3)
        #expect(StockLevel(onHand: 2, reserved: 4).reservable == 0)
    }
}
