import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The balance (尾款) of a presale order through the channel's payment callback: the amount must
/// be what is left after the deposit, paid by the deadline; the order then takes both payments and
/// `order.received` starts it downstream (verification, then allocation as soon as stock is
/// received). A failed attempt re-announces `order.awaiting-balance` (reason payment_failed).
extension OrderPaymentRoutes {
    func balance(_ body: PaymentCallback, paidAt: Date?, order: OrderStore.AwaitingPayment, channel: OMSDomain.Channel, channelOrderID: String,
                 tx: TransactionContext) async throws -> Outcome {
        guard let deposit = order.payment, let due = order.dueAt, let total = order.totalFen,
              let stored = try await OrderStore.presaleOrder(order.orderID, connection: tx.connection, logger: tx.logger) else {
            throw APIError.conflict("not_awaiting_payment", "the order does not await a payment")
        }
        let balanceDue = total - deposit.paidAmount.minorUnits
        if body.status == "failed" {
            try tx.emit(OrderAwaitingBalance(orderID: order.orderID, channel: channel, channelOrderID: channelOrderID, deposit: deposit.paidAmount,
                                             balanceDue: .fen(balanceDue), reasonCode: "payment_failed", dueAt: due, at: Date()),
                        orderID: order.orderID, topic: TopicCatalogue.orders)
            return Outcome(orderId: order.orderID, status: order.status.rawValue, paymentStatus: "failed", paymentDueAt: due)
        }
        guard body.amountFen == balanceDue else {
            throw APIError.validation([.init(field: "amountFen", reason: "must be the order's balance, \(balanceDue) fen (the deposit \(deposit.paidAmount.minorUnits) fen is paid)")])
        }
        let paidAt = paidAt ?? Date()
        if paidAt > due {
            throw APIError.conflict("balance_overdue", "the balance was due by \(Timestamps.format(due)); the order is cancelled and its deposit forfeited, refund this payment")
        }
        var placed = try tx.vault.open(stored.order)
        placed.payment = Payment(method: deposit.method, reference: body.reference, paidAmount: .fen(total), paidAt: paidAt, status: nil,
                                 deposit: DepositPayment(reference: deposit.reference, amount: deposit.paidAmount, paidAt: deposit.paidAt))
        let received = OrderReceived(order: placed, appliedPromotions: stored.applied, couponCode: stored.couponCode, receivedAt: Date())
        let envelope = try tx.emit(received, orderID: order.orderID, topic: TopicCatalogue.orders)
        try await OrderStore.markBalancePaid(tx.vault.seal(placed), by: envelope, connection: tx.connection, logger: tx.logger)
        return Outcome(orderId: order.orderID, status: OrderStatus.received.rawValue, paymentStatus: "paid", paymentDueAt: nil)
    }
}
