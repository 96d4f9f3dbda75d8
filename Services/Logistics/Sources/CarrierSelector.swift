import OMSDomain

/// Chooses the carrier service for one parcel, pure, and says why.
///
/// Rules, in order:
/// 1. Eligible services cover the destination province, serve the zone, carry the weight; a
///    same-city courier only within the warehouse's city.
/// 2. Perishables need cold chain, valuables an insured service (`valuable_insured`); among what
///    is left, perishables in the same city go with a same-day local courier
///    (`same_city_perishable`) when one is eligible, else `perishable_cold_chain`.
/// 3. A service level the customer chose (e.g. express) is honoured when any eligible service
///    offers it (`customer_requested_<level>`), else noted (`requested_service_unavailable`).
/// 4. Otherwise the cheapest service whose transit time meets the delivery promise for the zone
///    (`cheapest_meeting_promise`); if none does, the fastest, then cheapest (`no_service_meets_promise`).
/// Ties: higher quality score, then code.
/// Invariant: deterministic; returns nil only when no service may carry the parcel at all.
public struct CarrierSelector: Sendable {
    /// What the parcel is and where it goes.
    public struct Parcel: Sendable {
        public var weightGrams: Int
        public var perishable: Bool
        public var valuable: Bool
        public var zone: DeliveryZone
        public var destinationProvince: String
        public var requestedService: String?

        public init(weightGrams: Int, perishable: Bool, valuable: Bool, zone: DeliveryZone, destinationProvince: String, requestedService: String?) {
            self.weightGrams = weightGrams
            self.perishable = perishable
            self.valuable = valuable
            self.zone = zone
            self.destinationProvince = destinationProvince
            self.requestedService = requestedService
        }
    }

    /// The choice: the service, its fee and transit days, and the rules that decided.
    public struct Decision: Hashable, Sendable {
        public var carrier: Carrier
        public var fee: Money
        public var transitDays: Int
        public var reasons: [String]
    }

    /// Days the customer was promised per zone (standard orders).
    public var promisedDays: [DeliveryZone: Int]

    public static let defaultPromise: [DeliveryZone: Int] = [.sameCity: 1, .sameProvince: 2, .sameRegion: 3, .national: 4, .remote: 7]

    public init(promisedDays: [DeliveryZone: Int] = CarrierSelector.defaultPromise) {
        self.promisedDays = promisedDays
    }

    public func choose(for parcel: Parcel, among carriers: [Carrier]) -> Decision? {
        var reasons: [String] = []
        var options: [(carrier: Carrier, fee: Money, days: Int)] = carriers.compactMap { carrier in
            guard carrier.active, parcel.weightGrams <= carrier.maxWeightGrams,
                  carrier.coverage.isEmpty || carrier.coverage.contains(where: { DeliveryProximity.provinceKey($0) == DeliveryProximity.provinceKey(parcel.destinationProvince) }),
                  !carrier.sameCityOnly || parcel.zone == .sameCity,
                  let days = carrier.transit(parcel.zone), let fee = carrier.rates.fee(grams: parcel.weightGrams, zone: parcel.zone) else { return nil }
            return (carrier, fee, days)
        }
        // Requirements first (cold chain, insurance), then the same-city preference among what is left:
        // a valuable perishable goes insured and cold even if the local courier is not insured.
        if parcel.perishable { options = options.filter { $0.carrier.coldChain } }
        if parcel.valuable { options = options.filter { $0.carrier.insured } }
        if parcel.perishable {
            let local = options.filter { $0.carrier.sameCityOnly && $0.carrier.serviceLevel == .sameDay }
            if parcel.zone == .sameCity, !local.isEmpty {
                options = local
                reasons.append("same_city_perishable")
            } else {
                reasons.append("perishable_cold_chain")
            }
        }
        if parcel.valuable { reasons.append("valuable_insured") }
        if let requested = parcel.requestedService.flatMap(Carrier.ServiceLevel.init(rawValue:)) {
            let matching = options.filter { $0.carrier.serviceLevel == requested }
            if matching.isEmpty {
                reasons.append("requested_service_unavailable")
            } else {
                options = matching
                reasons.append("customer_requested_\(requested.rawValue)")
            }
        }
        guard !options.isEmpty else { return nil }
        let better: ((carrier: Carrier, fee: Money, days: Int), (carrier: Carrier, fee: Money, days: Int)) -> Bool = { a, b in
            if a.fee != b.fee { return a.fee.minorUnits < b.fee.minorUnits }
            if a.carrier.qualityScore != b.carrier.qualityScore { return a.carrier.qualityScore > b.carrier.qualityScore }
            return a.carrier.code < b.carrier.code
        }
        let promise = promisedDays[parcel.zone] ?? Int.max
        let meeting = options.filter { $0.days <= promise }
        let chosen: (carrier: Carrier, fee: Money, days: Int)
        if let best = meeting.min(by: better) {
            chosen = best
            reasons.append("cheapest_meeting_promise")
        } else {
            chosen = options.min { $0.days != $1.days ? $0.days < $1.days : better($0, $1) }!
            reasons.append("no_service_meets_promise")
        }
        return Decision(carrier: chosen.carrier, fee: chosen.fee, transitDays: chosen.days, reasons: reasons)
    }
}
