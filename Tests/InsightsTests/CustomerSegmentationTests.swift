import Foundation
@testable import InsightsService
import Testing

@Suite("RFM segmentation: scores by standing, one segment per customer by rule")
struct CustomerSegmentationTests {
    let asOf = Date(timeIntervalSince1970: 1_795_000_000)

    func activity(_ key: String, daysAgo: Int, orders: Int, fen: Int64) -> CustomerSegmentation.Activity {
        .init(customerKey: key, lastOrderAt: asOf.addingTimeInterval(-Double(daysAgo) * 86_400 - 60), orders: orders, monetaryFen: fen)
    }

    @Test("quintile scores: 1 + 5 x share strictly below, equal values equal scores")
    func scores() {
        #expect(CustomerSegmentation.scores([10, 20, 30, 40, 50]) == [1, 2, 3, 4, 5])
        #expect(CustomerSegmentation.scores([50, 10, 10, 40]) == [4, 1, 1, 3])
        #expect(CustomerSegmentation.scores([7, 7, 7]) == [1, 1, 1])
        #expect(CustomerSegmentation.scores([]) == [])
        #expect(CustomerSegmentation.scores((1...10).map { Int64($0) }) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    }

    @Test("new, at risk, high value, lapsed and regular customers are told apart")
    func segments() {
        let customers = [
            activity("C-NEW", daysAgo: 3, orders: 1, fen: 9_900),
            activity("C-RISK", daysAgo: 120, orders: 6, fen: 300_000),
            activity("C-VIP", daysAgo: 10, orders: 8, fen: 900_000),
            activity("C-GONE", daysAgo: 200, orders: 1, fen: 5_000),
            activity("C-SOME", daysAgo: 40, orders: 2, fen: 20_000),
            activity("C-MID", daysAgo: 20, orders: 3, fen: 60_000),
        ]
        let scored = CustomerSegmentation().segment(customers, asOf: asOf)
        let segmentOf = Dictionary(uniqueKeysWithValues: scored.map { ($0.activity.customerKey, $0.segment) })
        #expect(segmentOf == ["C-NEW": .new, "C-RISK": .atRisk, "C-VIP": .highValue, "C-GONE": .lapsed, "C-SOME": .regular, "C-MID": .regular])
        let vip = scored.first { $0.activity.customerKey == "C-VIP" }
        #expect(vip?.recencyDays == 10 && vip?.monetaryScore == 5 && vip?.frequencyScore == 5 && vip?.recencyScore == 4)
    }

    @Test("the same customers in any order give the same result; the policy's thresholds move the lines")
    func deterministicAndConfigurable() {
        let customers = (0..<40).map { activity("C-\($0)", daysAgo: ($0 * 37) % 300, orders: 1 + $0 % 7, fen: Int64(($0 * 7_919) % 200_000)) }
        let segmentation = CustomerSegmentation()
        #expect(segmentation.segment(customers, asOf: asOf) == segmentation.segment(customers.reversed(), asOf: asOf))
        let quiet = activity("C-Q", daysAgo: 100, orders: 3, fen: 10_000)
        #expect(segmentation.segment([quiet], asOf: asOf).first?.segment == .atRisk)
        let patient = CustomerSegmentation(policy: .init(newWithinDays: 30, frequentOrders: 3, silenceDays: 180))
        #expect(patient.segment([quiet], asOf: asOf).first?.segment == .regular)
    }
}
