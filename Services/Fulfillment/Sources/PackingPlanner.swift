import OMSDomain

/// Packing rules, pure: which packaging each item needs and which cartons hold a fulfillment
/// order's picked units.
///
/// - fragile -> protective wrap (takes 30% more room, 30 g a unit);
/// - liquid -> sealed bag (5 g a unit);
/// - valuable -> tamper-evident seal, and the parcel is insured for its declared value;
/// - perishable -> packed apart from everything else with an insulated liner and an ice pack
///   (the liner takes a quarter of the carton);
/// - the smallest carton (by volume) that holds the contents within its fill factor and weight limit;
///   when none does, units are split first-fit-decreasing over the largest carton and each parcel is
///   then shrunk to the smallest carton that holds it; a unit too big for any carton ships in its own
///   packaging ("OWN");
/// - inserts (invoice, return slip, promotion card) go in the first parcel.
///
/// Invariant: every unit is in exactly one parcel; no parcel exceeds its carton's limits unless it is
/// a single unit in its own packaging; the result is deterministic.
public struct PackingPlanner: Sendable {
    /// One physical unit to pack.
    public struct Unit: Hashable, Sendable {
        public var lineNumber: Int
        public var sku: String
        public var weightGrams: Int
        public var volumeCubicCentimetres: Int
        public var handling: HandlingAttributes
        public var unitPrice: Money

        public init(lineNumber: Int, sku: String, weightGrams: Int, volumeCubicCentimetres: Int, handling: HandlingAttributes, unitPrice: Money) {
            self.lineNumber = lineNumber
            self.sku = sku
            self.weightGrams = weightGrams
            self.volumeCubicCentimetres = volumeCubicCentimetres
            self.handling = handling
            self.unitPrice = unitPrice
        }
    }

    /// The numbers behind the rules; defaults are what the warehouses use.
    public struct Rules: Hashable, Sendable {
        /// Share of a carton's volume goods may fill, in percent.
        public var fillPercent = 85
        public var protectiveVolumePercent = 130
        public var protectiveWrapGrams = 30
        public var sealedBagGrams = 5
        /// Share of an insulated carton left for goods, in percent.
        public var coldChainUsablePercent = 75
        public var icePackGrams = 500
        public var insertGrams = 10

        public init() {}
    }

    /// A parcel as planned, before it gets an id.
    public struct PlannedParcel: Hashable, Sendable {
        public var carton: Carton
        public var lines: [ParcelLine]
        public var weightGrams: Int
        public var handling: HandlingAttributes
        public var insured: Bool
        public var declaredValue: Money
        public var packaging: [String]
        public var inserts: [String]
    }

    public var rules: Rules

    public init(rules: Rules = .init()) {
        self.rules = rules
    }

    /// Packs `units` into cartons from `cartons` (the standard set when empty).
    public func plan(_ units: [Unit], cartons: [Carton], inserts: [String]) -> [PlannedParcel] {
        let cartons = (cartons.isEmpty ? Carton.standardSet : cartons).sorted { ($0.volumeCubicCentimetres, $0.maxWeightGrams, $0.code) < ($1.volumeCubicCentimetres, $1.maxWeightGrams, $1.code) }
        let insertWeight = inserts.count * rules.insertGrams
        var parcels: [PlannedParcel] = []
        for cold in [false, true] {
            let group = units.filter { $0.handling.perishable == cold }
            guard !group.isEmpty else { continue }
            for bin in bins(group, cold: cold, cartons: cartons, reserve: insertWeight) {
                parcels.append(parcel(bin.units, carton: bin.carton, cold: cold))
            }
        }
        if !parcels.isEmpty, !inserts.isEmpty {
            parcels[0].inserts = inserts
            parcels[0].weightGrams += insertWeight
        }
        return parcels
    }

    // MARK: rules per unit and carton

    func volume(of unit: Unit) -> Int {
        unit.handling.fragile ? (unit.volumeCubicCentimetres * rules.protectiveVolumePercent + 99) / 100 : unit.volumeCubicCentimetres
    }

    func weight(of unit: Unit) -> Int {
        unit.weightGrams + (unit.handling.fragile ? rules.protectiveWrapGrams : 0) + (unit.handling.liquid ? rules.sealedBagGrams : 0)
    }

    /// What a carton may take in goods: volume after the fill factor (and liner), weight after tare,
    /// ice pack and `reserve` grams (inserts).
    public func capacity(of carton: Carton, cold: Bool, reserve: Int) -> (volume: Int, weight: Int) {
        let volume = carton.volumeCubicCentimetres * rules.fillPercent / 100 * (cold ? rules.coldChainUsablePercent : 100) / 100
        let weight = carton.maxWeightGrams - carton.tareGrams - (cold ? rules.icePackGrams : 0) - reserve
        return (volume, weight)
    }

    private func smallestCarton(holding units: [Unit], cold: Bool, cartons: [Carton], reserve: Int) -> Carton? {
        let volume = units.reduce(0) { $0 + self.volume(of: $1) }
        let weight = units.reduce(0) { $0 + self.weight(of: $1) }
        return cartons.first { let c = capacity(of: $0, cold: cold, reserve: reserve); return c.volume >= volume && c.weight >= weight }
    }

    private func bins(_ units: [Unit], cold: Bool, cartons: [Carton], reserve: Int) -> [(units: [Unit], carton: Carton)] {
        if let carton = smallestCarton(holding: units, cold: cold, cartons: cartons, reserve: reserve) { return [(units, carton)] }
        let largest = cartons.max { capacity(of: $0, cold: cold, reserve: reserve).volume < capacity(of: $1, cold: cold, reserve: reserve).volume }!
        let limit = capacity(of: largest, cold: cold, reserve: reserve)
        let ordered = units.enumerated().sorted { (volume(of: $0.element), -$0.offset) > (volume(of: $1.element), -$1.offset) }.map(\.element)
        var open: [(units: [Unit], volume: Int, weight: Int)] = []
        var result: [(units: [Unit], carton: Carton)] = []
        for unit in ordered {
            let v = volume(of: unit), w = weight(of: unit)
            if v > limit.volume || w > limit.weight {
                result.append(([unit], ownPackaging(unit)))
                continue
            }
            if let index = open.firstIndex(where: { $0.volume + v <= limit.volume && $0.weight + w <= limit.weight }) {
                open[index].units.append(unit)
                open[index].volume += v
                open[index].weight += w
            } else {
                open.append(([unit], v, w))
            }
        }
        let packed = open.map { bin in (bin.units, smallestCarton(holding: bin.units, cold: cold, cartons: cartons, reserve: reserve) ?? largest) }
        return packed + result
    }

    /// A unit that fits no carton ships in its own packaging: a cube of its volume.
    private func ownPackaging(_ unit: Unit) -> Carton {
        var side = 1
        while side * side * side < unit.volumeCubicCentimetres { side += 1 }
        return Carton(code: "OWN", lengthMm: side * 10, widthMm: side * 10, heightMm: side * 10, maxWeightGrams: max(1, weight(of: unit)), tareGrams: 0)
    }

    private func parcel(_ units: [Unit], carton: Carton, cold: Bool) -> PlannedParcel {
        var handling = HandlingAttributes()
        var quantities: [Int: (sku: String, quantity: Int)] = [:]
        var declared = Money.zero
        var weight = carton.tareGrams + (cold ? rules.icePackGrams : 0)
        for unit in units {
            handling.fragile = handling.fragile || unit.handling.fragile
            handling.liquid = handling.liquid || unit.handling.liquid
            handling.valuable = handling.valuable || unit.handling.valuable
            handling.perishable = handling.perishable || unit.handling.perishable
            quantities[unit.lineNumber, default: (unit.sku, 0)].quantity += 1
            declared = declared + unit.unitPrice
            weight += self.weight(of: unit)
        }
        var packaging: [String] = []
        if handling.fragile { packaging.append("protective_wrap") }
        if handling.liquid { packaging.append("sealed_bag") }
        if handling.valuable { packaging.append("tamper_evident_seal") }
        if handling.perishable { packaging += ["insulated_liner", "ice_pack"] }
        let lines = quantities.keys.sorted().map { ParcelLine(lineNumber: $0, sku: quantities[$0]!.sku, quantity: quantities[$0]!.quantity) }
        return PlannedParcel(carton: carton, lines: lines, weightGrams: weight, handling: handling, insured: handling.valuable,
                             declaredValue: declared, packaging: packaging, inserts: [])
    }
}
