import Foundation
import OMSDemo
import LogisticsService
import OMSDomain
import Testing

@Suite("Carrier selection: rules, rates, promises")
struct CarrierSelectorTests {
    let selector = CarrierSelector()
    let carriers = DemoCarriers.all

    func parcel(grams: Int = 800, perishable: Bool = false, valuable: Bool = false, zone: DeliveryZone, to province: String = "北京市", requested: String? = nil) -> CarrierSelector.Parcel {
        .init(weightGrams: grams, perishable: perishable, valuable: valuable, zone: zone, destinationProvince: province, requestedService: requested)
    }

    @Test("same-city fresh food goes with the local same-day courier")
    func sameCityPerishable() throws {
        let decision = try #require(selector.choose(for: parcel(grams: 2_600, perishable: true, zone: .sameCity, to: "浙江省"), among: carriers))
        #expect(decision.carrier.code == "DADA-SAMEDAY" && decision.transitDays == 0)
        #expect(decision.reasons == ["same_city_perishable", "cheapest_meeting_promise"])
        // Not perishable: the local courier is dearer than the cheapest standard service.
        #expect(selector.choose(for: parcel(zone: .sameCity, to: "浙江省"), among: carriers)?.carrier.code == "ZTO-ECONOMY")
        // Perishable across the country: cold chain only, never the same-city courier.
        let far = try #require(selector.choose(for: parcel(perishable: true, zone: .national), among: carriers))
        #expect(far.carrier.coldChain && !far.carrier.sameCityOnly && far.reasons.first == "perishable_cold_chain")
        // Valuable salmon in the same city: the local courier is not insured, so an insured cold-chain service.
        let salmon = try #require(selector.choose(for: parcel(perishable: true, valuable: true, zone: .sameCity, to: "浙江省"), among: carriers))
        #expect(salmon.carrier.insured && salmon.carrier.coldChain && salmon.reasons == ["perishable_cold_chain", "valuable_insured", "cheapest_meeting_promise"])
    }

    @Test("long distance: the cheapest service that meets the promise, even if a faster one exists")
    func cheapestMeetingPromise() throws {
        let national = try #require(selector.choose(for: parcel(zone: .national), among: carriers))
        #expect(national.carrier.code == "ZTO-ECONOMY" && national.fee == .fen(900) && national.reasons == ["cheapest_meeting_promise"])
        // A tighter promise (2 days national) rules out the 4-day services: the cheapest 2-day one wins.
        let tight = CarrierSelector(promisedDays: [.national: 2])
        #expect(tight.choose(for: parcel(zone: .national), among: carriers)?.carrier.code == "JD-EXPRESS")
        // Nobody delivers in 1 day across the country: the fastest, then cheapest.
        let impossible = try #require(CarrierSelector(promisedDays: [.national: 1]).choose(for: parcel(zone: .national), among: carriers))
        #expect(impossible.transitDays == 2 && impossible.reasons == ["no_service_meets_promise"])
    }

    @Test("valuables only with an insured service; a chosen express service is honoured")
    func valuablesAndRequestedService() throws {
        let valuable = try #require(selector.choose(for: parcel(valuable: true, zone: .national), among: carriers))
        #expect(valuable.carrier.insured && valuable.carrier.code == "SF-STANDARD" && valuable.reasons == ["valuable_insured", "cheapest_meeting_promise"])
        let express = try #require(selector.choose(for: parcel(zone: .national, requested: "express"), among: carriers))
        #expect(express.carrier.serviceLevel == .express && express.reasons == ["customer_requested_express", "cheapest_meeting_promise"])
        #expect(express.carrier.code == "JD-EXPRESS")   // 2,200 fen beats SF's 2,300
        let unknownLevel = selector.choose(for: parcel(zone: .national, requested: "sameDay"), among: carriers)
        #expect(unknownLevel?.reasons.contains("requested_service_unavailable") == true)
    }

    @Test("weight bands, extra kilograms, coverage and weight limits")
    func ratesAndLimits() {
        let zto = carriers.first { $0.code == "ZTO-ECONOMY" }!
        #expect(zto.rates.fee(grams: 1_000, zone: .national) == .fen(900))
        #expect(zto.rates.fee(grams: 1_001, zone: .national) == .fen(1_250))
        let beyond: Int64 = 900 + 5 * 350 + 2 * 175   // last band, then two started kilograms at half the step
        #expect(zto.rates.fee(grams: 31_500, zone: .national) == .fen(beyond))
        var regional = zto
        regional.coverage = ["浙江省"]
        #expect(selector.choose(for: parcel(zone: .national), among: [regional]) == nil)
        #expect(selector.choose(for: parcel(grams: 40_000, zone: .national), among: carriers) == nil)
    }
}

@Suite("Tracking numbers and ETAs")
struct TrackingNumberTests {
    @Test("carrier prefix, fixed length, check digit; distinct sequences give distinct numbers")
    func format() {
        let number = TrackingNumber.make(prefix: "SF", digits: 13, sequence: 42)
        #expect(number.count == 15 && number.hasPrefix("SF000000000042"))
        #expect(TrackingNumber.isValid(number, prefix: "SF", digits: 13))
        var tampered = Array(number)
        tampered[10] = tampered[10] == "9" ? "8" : "9"
        #expect(!TrackingNumber.isValid(String(tampered), prefix: "SF", digits: 13))
        #expect(Set((1...5_000).map { TrackingNumber.make(prefix: "ZT", digits: 12, sequence: Int64($0)) }).count == 5_000)
    }

    @Test("same day is four hours; otherwise 18:00 Shanghai time after the transit days")
    func eta() {
        let dispatched = Date(timeIntervalSince1970: 1_795_000_000)   // 2026-11-18 11:06 UTC = 19:06 in Shanghai
        #expect(DeliveryEstimate.eta(dispatchedAt: dispatched, transitDays: 0) == dispatched.addingTimeInterval(14_400))
        let twoDays = DeliveryEstimate.eta(dispatchedAt: dispatched, transitDays: 2)
        // 2026-11-20 18:00 in Shanghai is 10:00 UTC.
        #expect(Timestamps.format(twoDays) == "2026-11-20T10:00:00.000Z")
    }
}
