/// Orders a wave's picks along the warehouse walk: zones in order, aisles ascending within a zone,
/// and an S-shaped (serpentine) route through the aisles that have picks, so the picker walks up
/// the first aisle, down the next, and never doubles back. SKUs without a slot come last, by SKU,
/// so they are visible rather than lost. Invariant: a stable total order (ties keep input order).
public enum PickPath {
    public struct Stop: Hashable, Sendable {
        public var sku: String
        public var location: BinLocation?

        public init(sku: String, location: BinLocation?) {
            self.sku = sku
            self.location = location
        }
    }

    /// Indices of `stops` in walking order.
    public static func order(_ stops: [Stop]) -> [Int] {
        // The rank of each aisle among the aisles with picks in its zone decides its direction.
        var aislesByZone: [String: Set<Int>] = [:]
        for stop in stops {
            if let location = stop.location { aislesByZone[location.zone, default: []].insert(location.aisle) }
        }
        var direction: [String: [Int: Bool]] = [:]
        for (zone, aisles) in aislesByZone {
            for (rank, aisle) in aisles.sorted().enumerated() { direction[zone, default: [:]][aisle] = rank % 2 == 0 }
        }
        return stops.indices.sorted { a, b in
            switch (stops[a].location, stops[b].location) {
            case (nil, nil):
                return stops[a].sku == stops[b].sku ? a < b : stops[a].sku < stops[b].sku
            case (nil, _):
                return false
            case (_, nil):
                return true
            case let (x?, y?):
                if x.zone != y.zone { return x.zone < y.zone }
                if x.aisle != y.aisle { return x.aisle < y.aisle }
                if x.bin != y.bin {
                    let ascending = direction[x.zone]?[x.aisle] ?? true
                    return ascending ? x.bin < y.bin : x.bin > y.bin
                }
                return a < b
            }
        }
    }
}
