import OMSDomain

/// Decides which warehouses ship which units of an order (pure; unit-tested).
///
/// 1. One warehouse that can ship every line whole wins: the nearest (`DeliveryProximity`), then
///    the cheapest per parcel, then by code.
/// 2. Otherwise warehouses are added one at a time, each time the one that ships the most remaining
///    lines whole (ties: nearest, cheapest); a further warehouse must ship at least
///    `minLinesPerExtraParcel` lines, and at most `maxWarehousesPerOrder` take part.
/// 3. Lines still uncovered take what is left: a line worth at least `lowValueUnitPriceFen` a unit
///    is split over warehouses (already chosen ones first); a cheaper line takes units from one
///    warehouse only. A new warehouse joins for such a partial line only if the policy accepts
///    one-line parcels (`minLinesPerExtraParcel` 1). What nobody has is the shortfall (backordered).
///
/// Invariant: never allocates more than a warehouse's `available`, nor more than a line's quantity.
public struct SourcingPlanner: Sendable {
    /// A warehouse that may ship the order, with its rank inputs.
    public struct Candidate: Hashable, Sendable {
        public var code: String
        public var proximity: Int
        public var costPerParcelFen: Int64

        public init(code: String, proximity: Int, costPerParcelFen: Int64) {
            self.code = code
            self.proximity = proximity
            self.costPerParcelFen = costPerParcelFen
        }
    }

    /// Units of one order line still to be covered.
    public struct Demand: Hashable, Sendable {
        public var lineNumber: Int
        public var sku: String
        public var quantity: Int
        public var unitPriceFen: Int64

        public init(lineNumber: Int, sku: String, quantity: Int, unitPriceFen: Int64) {
            self.lineNumber = lineNumber
            self.sku = sku
            self.quantity = quantity
            self.unitPriceFen = unitPriceFen
        }
    }

    public struct Plan: Hashable, Sendable {
        public var allocations: [StockAllocation]
        public var shortfalls: [Demand]
        public var warehouses: [String] { Array(Set(allocations.map(\.warehouseId))).sorted() }
    }

    public var policy: SourcingPolicy

    public init(policy: SourcingPolicy) {
        self.policy = policy
    }

    /// `available[sku][warehouse]` is what may still be reserved there.
    public func plan(_ demands: [Demand], candidates: [Candidate], available: [String: [String: Int]]) -> Plan {
        let ranked = candidates.sorted { ($0.proximity, $0.costPerParcelFen, $0.code) < ($1.proximity, $1.costPerParcelFen, $1.code) }
        var stock = available
        var remaining = demands.filter { $0.quantity > 0 }
        var allocations: [StockAllocation] = []
        var chosen: [String] = []

        func take(_ demand: Demand, units: Int, from warehouse: String) {
            stock[demand.sku, default: [:]][warehouse, default: 0] -= units
            allocations.append(StockAllocation(lineNumber: demand.lineNumber, sku: demand.sku, warehouseId: warehouse, quantity: units))
        }
        /// Lines `warehouse` can ship whole given what earlier lines of the same SKU already took.
        func wholeLines(at warehouse: String, of lines: [Demand]) -> [Int] {
            var left = stock
            var indices: [Int] = []
            for (index, demand) in lines.enumerated() where (left[demand.sku]?[warehouse] ?? 0) >= demand.quantity {
                left[demand.sku, default: [:]][warehouse, default: 0] -= demand.quantity
                indices.append(index)
            }
            return indices
        }

        // 1 + 2: whole lines, fewest warehouses.
        while !remaining.isEmpty, chosen.count < policy.maxWarehousesPerOrder {
            var best: (code: String, lines: [Int])?
            for candidate in ranked where !chosen.contains(candidate.code) {
                let lines = wholeLines(at: candidate.code, of: remaining)
                if lines.count > (best?.lines.count ?? 0) { best = (candidate.code, lines) }
            }
            guard let best, !best.lines.isEmpty else { break }
            if !chosen.isEmpty && best.lines.count < policy.minLinesPerExtraParcel { break }
            for index in best.lines { take(remaining[index], units: remaining[index].quantity, from: best.code) }
            remaining = remaining.enumerated().filter { !best.lines.contains($0.offset) }.map(\.element)
            chosen.append(best.code)
        }

        // 3: partial lines.
        var shortfalls: [Demand] = []
        for var demand in remaining {
            let codes = ranked.map(\.code)
            let order = codes.filter { chosen.contains($0) } + codes.filter { !chosen.contains($0) }
            // A new warehouse for a partial line is a parcel of one line: only when none is chosen
            // yet, or the policy accepts one-line parcels.
            func mayAdd() -> Bool { chosen.isEmpty || (policy.minLinesPerExtraParcel <= 1 && chosen.count < policy.maxWarehousesPerOrder) }
            let allowed = order.filter { chosen.contains($0) || mayAdd() }
            if demand.unitPriceFen >= policy.lowValueUnitPriceFen {
                for warehouse in allowed where demand.quantity > 0 {
                    guard chosen.contains(warehouse) || mayAdd() else { continue }
                    let units = min(demand.quantity, stock[demand.sku]?[warehouse] ?? 0)
                    guard units > 0 else { continue }
                    take(demand, units: units, from: warehouse)
                    demand.quantity -= units
                    if !chosen.contains(warehouse) { chosen.append(warehouse) }
                }
            } else if let warehouse = allowed.max(by: { (stock[demand.sku]?[$0] ?? 0, chosen.contains($0) ? 1 : 0) < (stock[demand.sku]?[$1] ?? 0, chosen.contains($1) ? 1 : 0) }),
                      case let units = min(demand.quantity, stock[demand.sku]?[warehouse] ?? 0), units > 0 {
                take(demand, units: units, from: warehouse)
                demand.quantity -= units
                if !chosen.contains(warehouse) { chosen.append(warehouse) }
            }
            if demand.quantity > 0 { shortfalls.append(demand) }
        }
        return Plan(allocations: allocations, shortfalls: shortfalls)
    }
}
