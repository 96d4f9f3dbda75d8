import OMSDomain

/// What cancelled units of a live order give back. Pure. The units refund their share of what was
/// paid for their line; a threshold promotion (满减) the remaining units no longer reach is taken
/// back from the refund, exactly as for a return the customer caused; shipping stays (the rest of
/// the order still ships). Nothing is refunded for money the OMS never took.
/// Invariant: never negative; with earlier refunds never more than was paid.
enum LineCancellationRefundRule {
    /// Why nothing is refunded for this payment, or nil when the refund is due.
    static func withheld(method: PaymentMethod, awaitingPayment: Bool) -> String? {
        switch method {
        case .cashOnDelivery: return "nothing_paid"  // the courier collects only what ships
        case .marketplace: return "paid_on_marketplace"  // the marketplace refunds its buyer
        case .card, .wallet, .wechatPay, .alipay, .cashAtTill: return awaitingPayment ? "nothing_paid" : nil
        }
    }

    static func refund(_ lines: [LineQuantity], calculator: RefundCalculator, history: RefundCalculator.History) -> RefundCalculator.Refund {
        let items = lines.filter { $0.quantity > 0 }.map { InspectedItem(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity, condition: .resellable) }
        return calculator.refund(reason: .noReasonWithin7Days, received: items, history: history)
    }
}
