import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

/// A refund of a presale order is paid from its balance's transaction first and its deposit's for
/// the rest; never more from a transaction than it has left; one part for an ordinary payment.
struct RefundSplitTests {
    let presale = Payment(method: .wechatPay, reference: "WX-BAL", paidAmount: .fen(48_800), paidAt: nil,
                          deposit: DepositPayment(reference: "WX-DEP", amount: .fen(10_000), paidAt: nil))

    @Test("the whole 488.00 goes back as 388.00 from the balance and 100.00 from the deposit")
    func whole() {
        #expect(RefundSplit.parts(refundId: "RF-C-O", amount: 48_800, payment: presale, refundedByTransaction: [:]) == [
            .init(refundId: "RF-C-O", amount: 38_800, transactionId: "WX-BAL", paidTotal: 38_800, partOf: nil),
            .init(refundId: "RF-C-O-D", amount: 10_000, transactionId: "WX-DEP", paidTotal: 10_000, partOf: "RF-C-O"),
        ])
    }

    @Test("a return of 50.00 fits the balance; once the balance is used up, a later refund comes from the deposit under its own id")
    func later() {
        #expect(RefundSplit.parts(refundId: "RF-1", amount: 5_000, payment: presale, refundedByTransaction: [:]).map(\.transactionId) == ["WX-BAL"])
        let late = RefundSplit.parts(refundId: "RF-2", amount: 6_000, payment: presale, refundedByTransaction: ["WX-BAL": 38_800])
        #expect(late == [.init(refundId: "RF-2", amount: 6_000, transactionId: "WX-DEP", paidTotal: 10_000, partOf: nil)])
    }

    @Test("an ordinary payment is one part of the whole amount")
    func ordinary() {
        let paid = Payment(method: .alipay, reference: "ALI-1", paidAmount: .fen(9_900), paidAt: nil)
        #expect(RefundSplit.parts(refundId: "RF-R-O", amount: 9_900, payment: paid, refundedByTransaction: ["ALI-1": 100]) == [
            .init(refundId: "RF-R-O", amount: 9_900, transactionId: "ALI-1", paidTotal: 9_900, partOf: nil),
        ])
    }
}
