/// A carrier's service as logistics books it (e.g. SF Express's 顺丰特快): where it delivers, what it
/// may carry, how fast per zone, what it costs per weight band and zone, how its tracking numbers look.
/// Invariant: `code` is unique; `rates` has at least one band; tracking numbers are
/// `trackingPrefix` + `trackingDigits` digits (the last a check digit).
public struct Carrier: Codable, Hashable, Sendable {
    public enum ServiceLevel: String, Codable, Sendable, CaseIterable { case sameDay, express, standard, economy }

    public var code: String
    /// The company, e.g. "SF"; webhooks are signed with the company's secret.
    public var carrierCode: String
    public var name: String
    public var serviceLevel: ServiceLevel
    /// Provinces served; empty means nationwide.
    public var coverage: [String]
    /// A local courier: delivers only within the sending warehouse's city.
    public var sameCityOnly: Bool
    /// Refrigerated handling for perishables.
    public var coldChain: Bool
    /// Insured service for valuables (declared value covered).
    public var insured: Bool
    /// 0...100, from delivery performance.
    public var qualityScore: Int
    public var maxWeightGrams: Int
    /// Days in transit per `DeliveryZone` raw value; a zone missing is not served. 0 = same day.
    public var transitDays: [String: Int]
    public var rates: RateCard
    public var trackingPrefix: String
    public var trackingDigits: Int
    public var active: Bool

    public init(code: String, carrierCode: String, name: String, serviceLevel: ServiceLevel, coverage: [String] = [], sameCityOnly: Bool = false, coldChain: Bool = false,
                insured: Bool = false, qualityScore: Int = 80, maxWeightGrams: Int = 30_000, transitDays: [String: Int], rates: RateCard,
                trackingPrefix: String, trackingDigits: Int = 12, active: Bool = true) {
        self.code = code
        self.carrierCode = carrierCode
        self.name = name
        self.serviceLevel = serviceLevel
        self.coverage = coverage
        self.sameCityOnly = sameCityOnly
        self.coldChain = coldChain
        self.insured = insured
        self.qualityScore = qualityScore
        self.maxWeightGrams = maxWeightGrams
        self.transitDays = transitDays
        self.rates = rates
        self.trackingPrefix = trackingPrefix
        self.trackingDigits = trackingDigits
        self.active = active
    }

    public func transit(_ zone: DeliveryZone) -> Int? { transitDays[zone.rawValue] }
}

/// What a carrier charges: a fee per weight band and zone, and per started kilogram above the last
/// band. Invariant: bands ascend by `maxGrams`; fees in fen.
public struct RateCard: Codable, Hashable, Sendable {
    public struct Band: Codable, Hashable, Sendable {
        public var maxGrams: Int
        /// Fee per `DeliveryZone` raw value.
        public var feeFen: [String: Int64]

        public init(maxGrams: Int, feeFen: [String: Int64]) {
            self.maxGrams = maxGrams
            self.feeFen = feeFen
        }
    }

    public var bands: [Band]
    /// Per started kilogram above the last band, per zone.
    public var extraPerKgFen: [String: Int64]

    public init(bands: [Band], extraPerKgFen: [String: Int64]) {
        self.bands = bands
        self.extraPerKgFen = extraPerKgFen
    }

    /// The fee for a parcel of `grams` to `zone`; nil when the card has no price for the zone.
    public func fee(grams: Int, zone: DeliveryZone) -> Money? {
        if let band = bands.first(where: { grams <= $0.maxGrams }) {
            return band.feeFen[zone.rawValue].map(Money.fen)
        }
        guard let last = bands.last, let base = last.feeFen[zone.rawValue], let extra = extraPerKgFen[zone.rawValue] else { return nil }
        let extraKilograms = (grams - last.maxGrams + 999) / 1_000
        return .fen(base + extra * Int64(extraKilograms))
    }
}
