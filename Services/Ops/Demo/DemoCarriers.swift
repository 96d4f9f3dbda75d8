import OMSDemo
import LogisticsService
import OMSDomain

/// The carriers a fresh stack books with: SF (express, standard), JD (express), YTO (standard),
/// ZTO (economy) and Dada (same-day within the city). Rates per weight band (1, 3, 5, 10, 20, 30 kg)
/// grow by a step per band from the first-band fee, per zone. Invariant: deterministic (seeded by a
/// migration whose checksum must not drift).
public enum DemoCarriers {
    static let zones: [DeliveryZone] = [.sameCity, .sameProvince, .sameRegion, .national, .remote]

    /// A card whose band i costs `first[zone] + i * step[zone]` and each kilogram above 30 kg `step / 2`.
    static func card(first: [Int64], step: [Int64]) -> RateCard {
        let limits = [1_000, 3_000, 5_000, 10_000, 20_000, 30_000]
        let bands = limits.enumerated().map { index, limit in
            RateCard.Band(maxGrams: limit, feeFen: Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1.rawValue, first[$0] + Int64(index) * step[$0]) }))
        }
        return RateCard(bands: bands, extraPerKgFen: Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1.rawValue, step[$0] / 2) }))
    }

    static func days(_ values: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(zones, values).map { ($0.rawValue, $1) })
    }

    public static let all: [Carrier] = [
        Carrier(code: "SF-EXPRESS", carrierCode: "SF", name: "顺丰特快", serviceLevel: .express, coldChain: true, insured: true, qualityScore: 95,
                transitDays: days([1, 1, 1, 2, 4]), rates: card(first: [1_200, 1_400, 1_800, 2_300, 3_500], step: [400, 500, 700, 900, 1_500]),
                trackingPrefix: "SF", trackingDigits: 13),
        Carrier(code: "SF-STANDARD", carrierCode: "SF", name: "顺丰标快", serviceLevel: .standard, insured: true, qualityScore: 90,
                transitDays: days([1, 2, 2, 3, 5]), rates: card(first: [1_000, 1_100, 1_300, 1_600, 2_600], step: [300, 400, 500, 700, 1_200]),
                trackingPrefix: "SF", trackingDigits: 13),
        Carrier(code: "JD-EXPRESS", carrierCode: "JD", name: "京东快递", serviceLevel: .express, coldChain: true, insured: true, qualityScore: 93,
                transitDays: days([1, 1, 2, 2, 4]), rates: card(first: [1_100, 1_300, 1_700, 2_200, 3_400], step: [400, 500, 600, 800, 1_400]),
                trackingPrefix: "JDV", trackingDigits: 12),
        Carrier(code: "YTO-STANDARD", carrierCode: "YTO", name: "圆通速递", serviceLevel: .standard, qualityScore: 82,
                transitDays: days([1, 2, 3, 4, 6]), rates: card(first: [600, 700, 800, 1_000, 1_800], step: [200, 250, 300, 400, 800]),
                trackingPrefix: "YT", trackingDigits: 13),
        Carrier(code: "ZTO-ECONOMY", carrierCode: "ZTO", name: "中通快递", serviceLevel: .economy, qualityScore: 78,
                transitDays: days([1, 2, 3, 4, 7]), rates: card(first: [500, 600, 700, 900, 1_600], step: [150, 200, 250, 350, 700]),
                trackingPrefix: "ZT", trackingDigits: 12),
        Carrier(code: "DADA-SAMEDAY", carrierCode: "DADA", name: "达达同城", serviceLevel: .sameDay, sameCityOnly: true, coldChain: true, qualityScore: 88,
                maxWeightGrams: 20_000, transitDays: ["sameCity": 0], rates: card(first: [1_500, 0, 0, 0, 0], step: [300, 0, 0, 0, 0]),
                trackingPrefix: "DD", trackingDigits: 10),
    ]
}
