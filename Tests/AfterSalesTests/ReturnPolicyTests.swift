import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

@Suite("Return eligibility: delivered minus returned, windows per reason")
struct ReturnPolicyTests {
    let policy = ReturnPolicy(windowDays: [.noReasonWithin7Days: 7, .sizeOrFit: 15, .qualityProblem: 30, .wrongItem: 30, .damagedInTransit: 7],
                              autoApproved: [.noReasonWithin7Days, .sizeOrFit])
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func lines(delivered: Int = 2, returned: Int = 0, daysAgo: Double = 1) -> [Int: ReturnPolicy.LineState] {
        [1: .init(lineNumber: 1, sku: "CLO-TEE-BLK-M", ordered: 2, delivered: delivered, returned: returned, deliveredAt: delivered > 0 ? now.addingTimeInterval(-daysAgo * 86_400) : nil)]
    }

    func refusal(_ result: Result<[ReturnAuthorization.Line], ReturnPolicy.Refusal>) -> ReturnPolicy.Refusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    @Test("a delivered line within the window is accepted with its SKU")
    func accepted() throws {
        let result = try policy.check(reason: .noReasonWithin7Days, requested: [(1, 2)], lines: lines(), now: now).get()
        #expect(result == [ReturnAuthorization.Line(lineNumber: 1, sku: "CLO-TEE-BLK-M", quantity: 2)])
        #expect(policy.approvesAutomatically(.noReasonWithin7Days) && !policy.approvesAutomatically(.qualityProblem))
    }

    @Test("more than delivered minus already returned is refused, naming the quantity field")
    func overReturn() {
        let refused = refusal(policy.check(reason: .sizeOrFit, requested: [(1, 2)], lines: lines(returned: 1), now: now))
        #expect(refused?.code == "over_return" && refused?.field == "lines[0].quantity")
        #expect(refusal(policy.check(reason: .sizeOrFit, requested: [(1, 1)], lines: lines(delivered: 1, returned: 1), now: now))?.code == "over_return")
    }

    @Test("each reason has its own window from delivery")
    func windows() {
        // 8 days after delivery: too late for no-reason, fine for size/fit and quality.
        #expect(refusal(policy.check(reason: .noReasonWithin7Days, requested: [(1, 1)], lines: lines(daysAgo: 8), now: now))?.code == "outside_return_window")
        #expect(refusal(policy.check(reason: .sizeOrFit, requested: [(1, 1)], lines: lines(daysAgo: 8), now: now)) == nil)
        #expect(refusal(policy.check(reason: .qualityProblem, requested: [(1, 1)], lines: lines(daysAgo: 29), now: now)) == nil)
        #expect(refusal(policy.check(reason: .qualityProblem, requested: [(1, 1)], lines: lines(daysAgo: 31), now: now))?.field == "reason")
    }

    @Test("nothing delivered, an unknown line or a line twice are refused")
    func otherRules() {
        #expect(refusal(policy.check(reason: .sizeOrFit, requested: [(1, 1)], lines: lines(delivered: 0), now: now))?.code == "not_delivered")
        #expect(refusal(policy.check(reason: .sizeOrFit, requested: [(9, 1)], lines: lines(), now: now))?.code == "unknown_line")
        #expect(refusal(policy.check(reason: .sizeOrFit, requested: [(1, 1), (1, 1)], lines: lines(), now: now))?.code == "duplicate_line")
    }
}
