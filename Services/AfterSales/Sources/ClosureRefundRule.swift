import Foundation
import OMSDomain

/// What an order that ended early (cancelled before shipment, rejected by risk) gives back.
/// Invariant: pure; refunds only money the OMS knows was paid and not yet refunded, and only for
/// closures after automatic refunds began (earlier ones were refunded by hand).
enum ClosureRefundRule {
    enum Decision: Equatable {
        case refund(Money)
        /// Why nothing is refunded, stored as the closure's resolution.
        case none(String)
    }

    static func decide(method: PaymentMethod, paid: Money, alreadyRefunded: Money, closedAt: Date, autoRefundsSince: Date, cancellationRefused: Bool) -> Decision {
        if cancellationRefused { return .none("cancellation_refused") }
        if closedAt < autoRefundsSince { return .none("before_auto_refunds") }
        switch method {
        case .cashOnDelivery: return .none("nothing_paid")
        case .marketplace: return .none("paid_on_marketplace")
        case .card, .wallet, .wechatPay, .alipay, .cashAtTill: break
        }
        let due = paid.minorUnits - alreadyRefunded.minorUnits
        return due > 0 ? .refund(.fen(due)) : .none("nothing_paid")
    }

    /// A cancellation of an order a warehouse may already be working on waits for the warehouse
    /// to stop (`fulfillment.cancelled`); one that may be packed is refused instead.
    static func awaitsFulfillment(previousStatus: OrderStatus) -> Bool {
        previousStatus.rank >= OrderStatus.allocated.rank
    }
}
