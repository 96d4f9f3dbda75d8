import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

/// What cancelled units of a live order give back: their paid share, less a 满减 the rest no longer
/// reaches; nothing for money never taken; never more than was paid with the refunds before.
struct LineCancellationRefundRuleTests {
    let calculator = RefundCalculatorTests().calculator

    @Test("cancelling the jeans before packing refunds them less the hoodie's 37.13 share of 满500减80, never the shipping")
    func clawback() {
        let refund = LineCancellationRefundRule.refund([LineQuantity(lineNumber: 2, sku: "CLO-JEAN-BLK-M", quantity: 1)], calculator: calculator, history: .init())
        #expect(refund.lines.map(\.amount) == [.fen(25_613)])
        #expect(refund.clawbacks == [PromotionClawback(promotionID: "P-500-80", amount: .fen(3_713))])
        #expect(refund.shippingFeeRefunded == .zero && refund.amount == .fen(21_900))
    }

    @Test("after a cancellation refunded everything the order paid, a later part refunds nothing")
    func neverMoreThanPaid() {
        var history = RefundCalculator.History()
        history.refundedTotal = .fen(48_800)
        let refund = LineCancellationRefundRule.refund([LineQuantity(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1)], calculator: calculator, history: history)
        #expect(refund.amount == .zero)
    }

    @Test("nothing is refunded for cash on delivery (the courier collects only what ships), a marketplace's payment, or an order not yet paid")
    func withheld() {
        #expect(LineCancellationRefundRule.withheld(method: .cashOnDelivery, awaitingPayment: false) == "nothing_paid")
        #expect(LineCancellationRefundRule.withheld(method: .marketplace, awaitingPayment: false) == "paid_on_marketplace")
        #expect(LineCancellationRefundRule.withheld(method: .wechatPay, awaitingPayment: true) == "nothing_paid")
        #expect(LineCancellationRefundRule.withheld(method: .alipay, awaitingPayment: false) == nil)
    }
}
