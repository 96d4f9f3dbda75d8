import Foundation
import OMSDomain
import Testing
@testable import IntakeService

/// Presale orders: a deposit-paid order holds presale products only, placed before their balance
/// deadline, and paid exactly their deposits (less than the order); it waits until the earliest
/// deadline; the deposit goes back only when the merchant cancels.
struct PresaleRuleTests {
    let placed = Date(timeIntervalSince1970: 1_794_000_000)
    var terms: [String: PresaleTerms] {
        ["PHONE-X": PresaleTerms(depositFen: 10_000, balanceDueAt: placed + 86_400), "CASE-X": PresaleTerms(depositFen: 500, balanceDueAt: placed + 3_600)]
    }

    func order(_ lines: [(String, Int, Int64)], deposit: Int64, status: PaymentStatus? = .depositPaid) -> Order {
        Order(orderID: "O-1", channel: .web, channelOrderID: "W-1", customer: Customer(customerKey: "k", name: "n", phone: "13900000000"), deliveryAddress: nil,
              lines: lines.enumerated().map { OrderLine(lineNumber: $0.offset + 1, sku: $0.element.0, quantity: $0.element.1, unitPrice: .fen($0.element.2), category: "phones") },
              shippingFee: .zero, payment: Payment(method: .wechatPay, reference: "WX-D", paidAmount: .fen(deposit), paidAt: placed, status: status), placedAt: placed)
    }

    @Test("two phones and a case pay 2 x 100.00 + 5.00 of deposit; the balance is due by the case's earlier deadline")
    func accepted() {
        let two = order([("PHONE-X", 2, 599_900), ("CASE-X", 1, 9_900)], deposit: 20_500)
        #expect(PresaleRule.problems(order: two, terms: terms, placedAt: placed).isEmpty)
        #expect(PresaleRule.balanceDue(order: two, terms: terms) == placed + 3_600)
    }

    @Test("a wrong deposit, a product not on presale, a closed presale and a deposit as large as the order are refused with their codes")
    func refused() {
        #expect(PresaleRule.problems(order: order([("PHONE-X", 2, 599_900)], deposit: 10_000), terms: terms, placedAt: placed).map(\.code) == ["deposit_mismatch"])
        #expect(PresaleRule.problems(order: order([("PHONE-X", 1, 599_900), ("TEE", 1, 9_900)], deposit: 10_000), terms: terms, placedAt: placed).map(\.code) == ["not_presale"])
        #expect(PresaleRule.problems(order: order([("CASE-X", 1, 9_900)], deposit: 500), terms: terms, placedAt: placed + 3_600).map(\.code) == ["presale_closed"])
        #expect(PresaleRule.problems(order: order([("CASE-X", 1, 500)], deposit: 500), terms: terms, placedAt: placed).map(\.code) == ["deposit_mismatch"])
    }

    @Test("an order paid in full for a presale product is an ordinary order")
    func paidInFull() {
        #expect(PresaleRule.problems(order: order([("PHONE-X", 1, 599_900)], deposit: 599_900, status: nil), terms: terms, placedAt: placed).isEmpty)
    }

    @Test("the deposit goes back when customer service cancels; the customer, the channel and the deadline forfeit it")
    func deposit() {
        #expect(PresaleRule.refundsDeposit(requestedBy: "customer-service"))
        #expect(["customer", "channel", "system"].allSatisfy { !PresaleRule.refundsDeposit(requestedBy: $0) })
    }
}
