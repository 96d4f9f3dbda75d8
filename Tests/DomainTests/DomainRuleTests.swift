import Foundation
import OMSDomain
import Testing

@Suite("Domain rules")
struct DomainRuleTests {
    @Test("mainland mobile numbers", arguments: [("13812345678", true), ("19912345678", true), ("12812345678", false), ("1381234567", false), ("1381234567a", false), ("23812345678", false)])
    func mobile(phone: String, valid: Bool) {
        #expect(Customer.isMainlandMobile(phone) == valid)
    }

    @Test("EAN-13 check digit", arguments: [("6901234567892", true), ("4006381333931", true), ("4006381333932", false), ("400638133393", false)])
    func ean13(code: String, valid: Bool) {
        #expect(Product.isValidEAN13(code) == valid)
    }

    @Test("postal codes are six digits")
    func postalCode() {
        #expect(Address(province: "浙江省", city: "杭州市", district: "西湖区", street: "文三路 1 号", postalCode: "310012").hasValidPostalCode)
        #expect(!Address(province: "浙江省", city: "杭州市", district: "西湖区", street: "x", postalCode: "31001").hasValidPostalCode)
    }

    @Test("order status never moves backwards and terminal states stay terminal")
    func statusMonotonic() {
        #expect(OrderStatus.received.canAdvance(to: .verified))
        #expect(OrderStatus.shipped.canAdvance(to: .delivered))
        #expect(!OrderStatus.shipped.canAdvance(to: .allocated))
        #expect(!OrderStatus.delivered.canAdvance(to: .inTransit))
        #expect(!OrderStatus.cancelled.canAdvance(to: .verified))
        #expect(!OrderStatus.packed.canAdvance(to: .packed))
        #expect(OrderStatus.inTransit.canAdvance(to: .delayed))
        #expect(OrderStatus.delivered.canAdvance(to: .partiallyRefunded) && OrderStatus.returnRequested.canAdvance(to: .partiallyRefunded))
        #expect(OrderStatus.partiallyRefunded.canAdvance(to: .refunded) && !OrderStatus.partiallyRefunded.isTerminal)
        #expect(!OrderStatus.partiallyRefunded.canAdvance(to: .delivered) && !OrderStatus.refunded.canAdvance(to: .partiallyRefunded))
        // Awaiting payment is where an order starts, never where one goes back to; it can be cancelled or rejected.
        #expect(!OrderStatus.received.canAdvance(to: .awaitingPayment) && !OrderStatus.verified.canAdvance(to: .awaitingPayment))
        #expect(OrderStatus.awaitingPayment.canAdvance(to: .cancelled) && OrderStatus.awaitingPayment.canAdvance(to: .rejected) && !OrderStatus.awaitingPayment.isTerminal)
        #expect(Payment(method: .wechatPay, reference: nil, paidAmount: .zero, paidAt: nil, status: .failed).isAwaiting
                && !Payment(method: .wechatPay, reference: "4200", paidAmount: .fen(1), paidAt: nil).isAwaiting)
    }

    @Test("order totals: goods - allocated discounts + shipping")
    func orderTotals() {
        let order = Order(
            orderID: "O1", channel: .web, channelOrderID: "W1",
            customer: Customer(customerKey: "c1", name: "张三", phone: "13812345678"),
            deliveryAddress: nil,
            lines: [
                OrderLine(lineNumber: 1, sku: "A", quantity: 2, unitPrice: .fen(15_000), allocatedDiscount: .fen(3_000)),
                OrderLine(lineNumber: 2, sku: "B", quantity: 1, unitPrice: .fen(0), isGift: true),
            ],
            shippingFee: .fen(800),
            payment: Payment(method: .card, reference: "p", paidAmount: .fen(27_800), paidAt: nil),
            placedAt: Date(timeIntervalSince1970: 0)
        )
        #expect(order.goodsTotal == .fen(30_000))
        #expect(order.total == .fen(27_800))
        #expect(order.lines[0].paidAmount == .fen(27_000))
    }

    @Test("complaints route by category")
    func complaintRouting() {
        #expect(Complaint.defaultTeam(for: .deliveryDelay) == .logistics)
        #expect(Complaint.defaultTeam(for: .wrongItem) == .warehouse)
        #expect(Complaint.defaultTeam(for: .quality) == .quality)
    }

    @Test("amendments merge field by field, the later one winning where it says something")
    func amendmentsMerge() {
        let at = Date(timeIntervalSince1970: 1_000)
        let first = OrderAmended(orderID: "O-1", recipientName: "韩梅梅", recipientPhone: "13700001111", deliveryAddress: nil, shippingService: "express",
                                 amendedBy: "customerService:a", amendedAt: at)
        let later = OrderAmended(orderID: "O-1", recipientName: nil, recipientPhone: "13900002222",
                                 deliveryAddress: Address(province: "广东省", city: "广州市", district: "天河区", street: "体育西路 1 号"),
                                 amendedBy: "channel:web", amendedAt: at.addingTimeInterval(60))
        let merged = first.merged(with: later)
        #expect(merged.recipientName == "韩梅梅" && merged.recipientPhone == "13900002222" && merged.deliveryAddress?.city == "广州市")
        #expect(merged.shippingService == "express" && merged.amendedBy == "channel:web" && merged.amendedAt == later.amendedAt)
    }

    @Test("a line cancellation's or a substitution's refund leaves the order's status alone; the others refund the order")
    func refundCauses() {
        #expect(!RefundCause.lineCancellation.refundsTheOrder && !RefundCause.substitution.refundsTheOrder)
        #expect(RefundCause.return.refundsTheOrder && RefundCause.cancellation.refundsTheOrder && RefundCause.rejection.refundsTheOrder)
    }
}
