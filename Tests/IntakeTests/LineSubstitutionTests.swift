import Foundation
import OMSDomain
import OMSPlatform
import Testing
@testable import IntakeService

/// Pricing a replacement of backordered units: the customer keeps the discount the replaced units
/// had; a cheaper SKU refunds the list-price difference; a dearer one is owed unless waived.
struct LineSubstitutionTests {
    /// Two wine glasses at 129.00 with 25.80 of discounts on the line: 232.20 paid, 116.10 each.
    let line = OrderLine(lineNumber: 2, sku: "GLS-WINEGLASS-1", quantity: 2, unitPrice: .fen(12_900), allocatedDiscount: .fen(2_580), category: "glassware")

    func request(_ sku: String, quantity: Int = 1, waive: Bool? = nil) -> LineSubstitution {
        LineSubstitution(lineNumber: 2, quantity: quantity, sku: sku, reason: "缺货换款", waiveDifference: waive)
    }

    @Test("another style at the same price: the same discount, nothing refunded")
    func samePrice() {
        guard case .priced(let replacement, let refund) = request("GLS-WINEGLASS-2").price(line: line, listPrice: .fen(12_900), category: "glassware", number: 3) else {
            Issue.record("not priced"); return
        }
        #expect(replacement.lineNumber == 3 && replacement.quantity == 1 && replacement.allocatedDiscount == .fen(1_290) && replacement.paidAmount == .fen(11_610))
        #expect(refund == .zero)
    }

    @Test("a cheaper SKU refunds the list-price difference and keeps the discount")
    func cheaper() {
        guard case .priced(let replacement, let refund) = request("GLS-TUMBLER-1").price(line: line, listPrice: .fen(5_900), category: "glassware", number: 4) else {
            Issue.record("not priced"); return
        }
        #expect(replacement.paidAmount == .fen(4_610) && refund == .fen(7_000))
        #expect(replacement.paidAmount + refund == .fen(11_610))
    }

    @Test("a replacement cheaper than the discount it would keep costs nothing and refunds what was paid")
    func cheaperThanTheDiscount() {
        guard case .priced(let replacement, let refund) = request("MUG").price(line: line, listPrice: .fen(500), category: "home", number: 3) else {
            Issue.record("not priced"); return
        }
        #expect(replacement.paidAmount == .zero && refund == .fen(11_610))
    }

    @Test("a dearer SKU is owed the list-price difference, unless customer service waives it")
    func dearer() {
        #expect(request("GLS-DECANTER-1").price(line: line, listPrice: .fen(22_900), category: "glassware", number: 3) == .differenceDue(.fen(10_000)))
        guard case .priced(let replacement, let refund) = request("GLS-DECANTER-1", waive: true).price(line: line, listPrice: .fen(22_900), category: "glassware", number: 3) else {
            Issue.record("not priced"); return
        }
        #expect(replacement.paidAmount == .fen(11_610) && refund == .zero)
    }

    @Test("the line, the SKU and the units left are checked against the order")
    func checks() {
        let order = Order(orderID: "O-1", channel: .web, channelOrderID: "W-1", customer: Customer(customerKey: "k", name: "张三", phone: "13800138000"),
                          deliveryAddress: nil, lines: [line, OrderLine(lineNumber: 5, sku: "GIFT", quantity: 1, unitPrice: .zero, isGift: true)],
                          shippingFee: .zero, payment: Payment(method: .card, reference: "p", paidAmount: .fen(23_220), paidAt: Date()), placedAt: Date())
        #expect(request("X").problems(order: order, unitsLeft: [2: 2]).isEmpty)
        #expect(LineSubstitution(lineNumber: 9, quantity: 1, sku: "X", reason: "r").problems(order: order, unitsLeft: [:]).map(\.field) == ["lineNumber"])
        #expect(LineSubstitution(lineNumber: 5, quantity: 1, sku: "X", reason: "r").problems(order: order, unitsLeft: [5: 1]).map(\.field) == ["lineNumber"])
        #expect(request("GLS-WINEGLASS-1").problems(order: order, unitsLeft: [2: 2]).map(\.field) == ["sku"])
        #expect(request("X", quantity: 2).problems(order: order, unitsLeft: [2: 1]).map(\.field) == ["quantity"])
        #expect(LineSubstitution(lineNumber: 2, quantity: 0, sku: " ", reason: "").problems().map(\.field) == ["reason", "sku", "quantity"])
    }
}
