import Foundation
import LogisticsService
import OMSDomain
import Testing

@Suite("Cash on delivery per parcel: each parcel collects its own lines, shipping once, the whole order exactly once")
struct CashOnDeliveryLedgerTests {
    /// A COD phone order: 3 x 33.33 yuan less a 1.00 yuan discount on line 1, 1 x 59.00 on line 2, 8.00 shipping.
    static let order = Order(
        orderID: "O-COD-1", channel: .phone, channelOrderID: "CS-1", customer: Customer(customerKey: "c", name: "王五", phone: "13900000000"),
        deliveryAddress: nil,
        lines: [OrderLine(lineNumber: 1, sku: "A", quantity: 3, unitPrice: .fen(3_333), allocatedDiscount: .fen(100)),
                OrderLine(lineNumber: 2, sku: "B", quantity: 1, unitPrice: .fen(5_900))],
        shippingFee: .fen(800), payment: Payment(method: .cashOnDelivery, reference: nil, paidAmount: .zero, paidAt: nil), placedAt: Date())

    @Test("a split order: parcels sum to the order total exactly, shipping on the first, the residue on the line's last units")
    func split() {
        var ledger = CashOnDeliveryLedger()
        let first = ledger.assign([ParcelLine(lineNumber: 1, sku: "A", quantity: 1)], of: Self.order)
        let second = ledger.assign([ParcelLine(lineNumber: 1, sku: "A", quantity: 1), ParcelLine(lineNumber: 2, sku: "B", quantity: 1)], of: Self.order)
        let third = ledger.assign([ParcelLine(lineNumber: 1, sku: "A", quantity: 1)], of: Self.order)
        // Line 1 pays 99.99 - 1.00 = 98.99 yuan: 32.99, then 33.00 of the 66.00 left, then the last 33.00.
        #expect(first.fen == [1: 3_299] && first.shippingFen == 800 && first.totalFen == 4_099)
        #expect(second.fen == [1: 3_300, 2: 5_900] && second.shippingFen == 0)
        #expect(third.fen == [1: 3_300] && third.shippingFen == 0)
        #expect(first.totalFen + second.totalFen + third.totalFen == Self.order.total.minorUnits)
    }

    @Test("one parcel for the whole order collects the order total; a second dispatch of the same units (an exchange replacement) collects nothing")
    func wholeAndReplacement() {
        var ledger = CashOnDeliveryLedger()
        let all = ledger.assign([ParcelLine(lineNumber: 1, sku: "A", quantity: 3), ParcelLine(lineNumber: 2, sku: "B", quantity: 1)], of: Self.order)
        #expect(all.totalFen == Self.order.total.minorUnits)
        let replacement = ledger.assign([ParcelLine(lineNumber: 2, sku: "B", quantity: 1)], of: Self.order)
        #expect(replacement.totalFen == 0 && !replacement.carriesShipping)
    }

    @Test("a lost parcel is credited back: its re-shipment collects what it still owed, shipping included when it carried it")
    func lostAndReshipped() {
        var ledger = CashOnDeliveryLedger()
        let lost = ledger.assign([ParcelLine(lineNumber: 2, sku: "B", quantity: 1)], of: Self.order)
        let other = ledger.assign([ParcelLine(lineNumber: 1, sku: "A", quantity: 3)], of: Self.order)
        #expect(lost.totalFen == 5_900 + 800 && other.totalFen == 9_899)
        ledger.creditBack(lost)
        let reshipped = ledger.assign([ParcelLine(lineNumber: 2, sku: "B", quantity: 1)], of: Self.order)
        #expect(reshipped == lost)
        #expect(reshipped.totalFen + other.totalFen == Self.order.total.minorUnits)
    }
}
