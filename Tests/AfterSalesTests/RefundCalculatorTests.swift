import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

/// A hoodie (259.00) and jeans (299.00) bought under "满500减80", 10.00 shipping: intake split the
/// 80.00 as 37.13 + 42.87, so the lines paid 221.87 and 256.13, 488.00 in all.
@Suite("Refunds: what was paid, threshold clawbacks, shipping and withheld units")
struct RefundCalculatorTests {
    static let promotion = AppliedPromotion(promotionID: "P-500-80", description: "满500减80", amount: .fen(8_000), lines: [1, 2], threshold: .fen(50_000),
                                            shares: [.init(lineNumber: 1, amount: .fen(3_713)), .init(lineNumber: 2, amount: .fen(4_287))])
    static let lines = [
        OrderLine(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1, unitPrice: .fen(25_900), allocatedDiscount: .fen(3_713)),
        OrderLine(lineNumber: 2, sku: "CLO-JEAN-BLK-M", quantity: 1, unitPrice: .fen(29_900), allocatedDiscount: .fen(4_287)),
    ]
    let calculator = RefundCalculator(order: .init(lines: lines, promotions: [promotion], shippingFee: .fen(1_000), paid: .fen(48_800)))

    func item(_ line: Int, _ sku: String, _ quantity: Int = 1, _ condition: ReturnedItemCondition = .resellable) -> InspectedItem {
        InspectedItem(lineNumber: line, sku: sku, quantity: quantity, condition: condition)
    }

    @Test("returning the jeans breaks 满500减80: the hoodie's 37.13 share is clawed back, the customer keeps it at list price")
    func clawback() {
        let refund = calculator.refund(reason: .sizeOrFit, received: [item(2, "CLO-JEAN-BLK-M")], history: .init())
        #expect(refund.lines == [RefundLine(lineNumber: 2, sku: "CLO-JEAN-BLK-M", quantity: 1, amount: .fen(25_613))])
        #expect(refund.clawbacks == [PromotionClawback(promotionID: "P-500-80", amount: .fen(3_713))])
        #expect(refund.shippingFeeRefunded == .zero)
        #expect(refund.amount == .fen(21_900))
    }

    @Test("then the hoodie comes back for a quality problem: its paid share, the clawback returned and the shipping: 488.00 in all")
    func everythingBack() {
        var history = RefundCalculator.History()
        history.refundedUnits = [2: 1]
        history.clawedBack = ["P-500-80": .fen(3_713)]
        history.refundedTotal = .fen(21_900)
        let refund = calculator.refund(reason: .qualityProblem, received: [item(1, "CLO-HOOD-NVY-L")], history: history)
        #expect(refund.clawbacks == [PromotionClawback(promotionID: "P-500-80", amount: .fen(-3_713))])
        #expect(refund.shippingFeeRefunded == .fen(1_000))
        #expect(refund.amount == .fen(26_900))
        #expect((history.refundedTotal + refund.amount) == .fen(48_800))
    }

    @Test("a repeating 每满100减10 keeps what the remaining goods still earn")
    func repeating() {
        let promotion = AppliedPromotion(promotionID: "EVERY-100", description: "每满100减10", amount: .fen(3_000), lines: [1], threshold: .fen(10_000),
                                         reductionPerThreshold: .fen(1_000), shares: [.init(lineNumber: 1, amount: .fen(3_000))])
        let line = OrderLine(lineNumber: 1, sku: "HOM-TOWEL-1", quantity: 3, unitPrice: .fen(10_000), allocatedDiscount: .fen(3_000))
        let calculator = RefundCalculator(order: .init(lines: [line], promotions: [promotion], shippingFee: .zero, paid: .fen(27_000)))
        // One of three back: 200.00 kept still earns 2 x 10.00, exactly the kept share: no clawback.
        let one = calculator.refund(reason: .sizeOrFit, received: [item(1, "HOM-TOWEL-1")], history: .init())
        #expect(one.clawbacks.isEmpty && one.amount == .fen(9_000))
        // Two back at once: 100.00 kept earns 10.00, its share is 10.00: still none.
        let two = calculator.refund(reason: .sizeOrFit, received: [item(1, "HOM-TOWEL-1", 2)], history: .init())
        #expect(two.clawbacks.isEmpty && two.amount == .fen(18_000))
    }

    @Test("units of one line refunded over several returns add up to exactly what the line paid")
    func cumulativeShares() {
        let line = OrderLine(lineNumber: 1, sku: "FRS-EGGS-1", quantity: 3, unitPrice: .fen(1_000), allocatedDiscount: .fen(100))
        let calculator = RefundCalculator(order: .init(lines: [line], promotions: [], shippingFee: .zero, paid: .fen(2_900)))
        var history = RefundCalculator.History()
        var total = Money.zero
        for _ in 0..<3 {
            let refund = calculator.refund(reason: .qualityProblem, received: [item(1, "FRS-EGGS-1")], history: history)
            total = total + refund.amount
            history.refundedUnits[1, default: 0] += 1
            history.refundedTotal = history.refundedTotal + refund.amount
        }
        #expect(total == .fen(2_900))
        // A fourth unit does not exist: nothing more.
        #expect(calculator.refund(reason: .qualityProblem, received: [item(1, "FRS-EGGS-1")], history: history).amount == .zero)
    }

    @Test("used goods sent back without a merchant fault are withheld; with one they are refunded")
    func withheld() {
        let customer = calculator.refund(reason: .noReasonWithin7Days, received: [item(2, "CLO-JEAN-BLK-M", 1, .used)], history: .init())
        #expect(customer.lines.isEmpty && customer.withheldUnits == 1 && customer.amount == .zero)
        let merchant = calculator.refund(reason: .wrongItem, received: [item(2, "CLO-JEAN-BLK-M", 1, .used)], history: .init())
        #expect(merchant.withheldUnits == 0 && merchant.lines.count == 1)
    }

    @Test("all refunds of an order never exceed what was paid")
    func capped() {
        var history = RefundCalculator.History()
        history.refundedTotal = .fen(48_000)
        let refund = calculator.refund(reason: .qualityProblem, received: [item(1, "CLO-HOOD-NVY-L"), item(2, "CLO-JEAN-BLK-M")], history: history)
        #expect(refund.amount == .fen(800))
    }
}
