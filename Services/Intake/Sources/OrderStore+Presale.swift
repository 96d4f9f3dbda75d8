import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Presale orders as intake keeps them while they await their balance: the stored order with its
/// priced promotions and coupon (what `order.received` carries once the balance is paid), the
/// balance's write, and what happens to the deposit of one cancelled before it.
extension OrderStore {
    /// The stored (sealed) order awaiting its balance, its applied promotions and its coupon code.
    /// A body or promotions that do not decode throw: the order would otherwise start downstream
    /// without its discounts (refunds and clawbacks computed wrong) or the balance be refused as
    /// if none were due.
    static func presaleOrder(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (order: Order, applied: [AppliedPromotion], couponCode: String?)? {
        let rows = try await connection.query("""
            SELECT body::text, applied_promotions::text, (SELECT min(code) FROM coupon_redemptions r WHERE r.order_id = o.order_id)
            FROM orders o WHERE order_id = \(orderID)
            """, logger: logger)
        for try await (body, applied, coupon) in rows.decode((String, String, String?).self) {
            let order = try EventCoding.decode(Order.self, from: Array(body.utf8))
            let promotions = try EventCoding.decode([AppliedPromotion].self, from: Array(applied.utf8))
            return (order, promotions, coupon)
        }
        return nil
    }

    /// The balance is paid: the order takes its whole payment (sealed `order`) and becomes `received`.
    static func markBalancePaid(_ sealed: Order, by envelope: EventEnvelope, connection: PostgresConnection, logger: Logger) async throws {
        let json = String(decoding: try EventCoding.encode(sealed), as: UTF8.self)
        try await connection.query("""
            UPDATE orders SET body = \(json)::jsonb, payment_due_at = NULL, status = \(OrderStatus.received.rawValue), status_rank = \(OrderStatus.received.rank), updated_at = now()
            WHERE order_id = \(sealed.orderID)
            """, logger: logger)
        try await appendTimeline(sealed.orderID, envelope, status: .received, detail: ["paymentStatus": "paid"], connection: connection, logger: logger)
    }

    /// The deposit of a presale order cancelled before its balance, and whether it goes back.
    static func depositSettlement(of orderID: String, requestedBy: String, connection: PostgresConnection, logger: Logger) async throws -> DepositSettlement? {
        guard let stored = try await storedOrder(orderID, connection: connection, logger: logger), stored.payment.status == .depositPaid else { return nil }
        return DepositSettlement(payment: stored.payment, refunded: PresaleRule.refundsDeposit(requestedBy: requestedBy))
    }
}
