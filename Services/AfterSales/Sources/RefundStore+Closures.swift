import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Orders that ended early: facts arrive from three topics in any order (intake's cancellation,
/// risk's rejection, the warehouses' answer); the refund is opened once the order record and the
/// closure are both known. Invariant: one refund per closed order, refund id `RF-C-<order>`
/// (cancellation) or `RF-R-<order>` (rejection).
extension RefundStore {
    static func recordClosure(orderID: String, cause: RefundCause, previousStatus: OrderStatus?, closedAt: Date, releaseAt: Date, connection: PostgresConnection, logger: Logger) async throws {
        let awaits = previousStatus.map { ClosureRefundRule.awaitsFulfillment(previousStatus: $0) } ?? false
        try await connection.query("""
            INSERT INTO order_closures (order_id, cause, previous_status, awaits_fulfillment, closed_at, release_at)
            VALUES (\(orderID), \(cause.rawValue), \(previousStatus?.rawValue), \(awaits), \(closedAt), \(releaseAt))
            ON CONFLICT (order_id) DO UPDATE SET
                cause = coalesce(order_closures.cause, EXCLUDED.cause),
                previous_status = coalesce(order_closures.previous_status, EXCLUDED.previous_status),
                awaits_fulfillment = CASE WHEN order_closures.cause IS NULL THEN EXCLUDED.awaits_fulfillment ELSE order_closures.awaits_fulfillment END,
                closed_at = coalesce(order_closures.closed_at, EXCLUDED.closed_at),
                release_at = coalesce(order_closures.release_at, EXCLUDED.release_at)
            """, logger: logger)
    }

    /// Refunds the deposit of a presale order cancelled before its balance by the merchant, once
    /// (`RF-D-<order>`), to the deposit's transaction. Deposits no provider pays back are owed.
    static func recordDepositRefund(orderID: String, deposit: Payment, cancelledAt: Date, context: TransactionContext) async throws {
        let id = "RF-D-\(orderID)"
        let existing = try await context.connection.query("SELECT 1 FROM refunds WHERE refund_id = \(id)", logger: context.logger)
        for try await _ in existing { return }
        guard deposit.paidAmount.minorUnits > 0 else { return }
        let issued = RefundIssued(refundId: id, returnId: nil, orderID: orderID, amount: deposit.paidAmount, lines: [], clawbacks: [], shippingFeeRefunded: .zero,
                                  withheldUnits: 0, paymentMethod: deposit.method, issuedAt: cancelledAt, cause: .presaleDeposit)
        try await recordRefund(issued, payment: deposit, held: nil, context: context)
    }

    /// A warehouse stopped work on the order, or refused to (already packed). A refusal voids a
    /// cancellation refund still held; one already issued is flagged `recovery_due` for finance.
    static func recordFulfillmentAnswer(orderID: String, refused: Bool, now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO order_closures (order_id, fulfillment_cancelled, fulfillment_refused) VALUES (\(orderID), \(!refused), \(refused))
            ON CONFLICT (order_id) DO UPDATE SET fulfillment_cancelled = order_closures.fulfillment_cancelled OR EXCLUDED.fulfillment_cancelled,
                                                 fulfillment_refused = order_closures.fulfillment_refused OR EXCLUDED.fulfillment_refused
            """, logger: logger)
        guard refused else { return }
        try await connection.query("""
            UPDATE refunds SET status = 'voided', settled_at = \(now), last_error = 'cancellation_refused'
            WHERE order_id = \(orderID) AND cause = 'cancellation' AND status = 'held'
            """, logger: logger)
        let flagged = try await connection.query("""
            UPDATE refunds SET recovery_due = true
            WHERE order_id = \(orderID) AND cause = 'cancellation' AND status NOT IN ('held', 'voided') AND NOT recovery_due RETURNING refund_id
            """, logger: logger)
        for try await refund in flagged.decode(String.self) {
            logger.warning("a refunded cancellation was refused by the warehouse: the goods ship, the refund must be recovered", metadata: ["orderId": "\(orderID)", "refundId": "\(refund)"])
        }
    }

    /// Opens the refund of every closed order among `orderIDs` whose record after-sales holds.
    static func openClosureRefunds(orderIDs: [String], context: TransactionContext) async throws {
        guard !orderIDs.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        let rows = try await connection.query("""
            SELECT c.order_id, c.cause, c.closed_at, c.release_at, c.fulfillment_refused, s.auto_refunds_since
            FROM order_closures c JOIN orders o USING (order_id) CROSS JOIN refund_settings s
            WHERE c.order_id = ANY(\(orderIDs)::text[]) AND c.resolution IS NULL AND c.cause IS NOT NULL
            ORDER BY c.order_id FOR UPDATE OF c
            """, logger: logger)
        var closures: [(String, String, Date, Date, Bool, Date)] = []
        for try await row in rows.decode((String, String, Date, Date, Bool, Date).self) { closures.append(row) }
        for (orderID, causeName, closedAt, releaseAt, refused, since) in closures {
            guard let cause = RefundCause(rawValue: causeName),
                  let record = try await AfterSalesRecord.load(orderID, lock: true, connection: connection, logger: logger, vault: context.vault) else { continue }
            let order = record.order
            let refunded = try await refundedFen(orderID: orderID, connection: connection, logger: logger)
            let decision = ClosureRefundRule.decide(method: order.payment.method, paid: order.payment.paidAmount, alreadyRefunded: .fen(refunded),
                                                    closedAt: closedAt, autoRefundsSince: since, cancellationRefused: refused && cause == .cancellation)
            var refundID: String?
            if case .refund(let amount) = decision {
                let id = "RF-\(cause == .cancellation ? "C" : "R")-\(orderID)"
                let issued = RefundIssued(refundId: id, returnId: nil, orderID: orderID, amount: amount,
                                          lines: order.lines.map { RefundLine(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity, amount: $0.paidAmount) },
                                          clawbacks: [], shippingFeeRefunded: order.shippingFee, withheldUnits: 0, paymentMethod: order.payment.method,
                                          issuedAt: closedAt, cause: cause)
                try await recordRefund(issued, order: order, held: cause == .cancellation ? releaseAt : nil, context: context)
                refundID = id
            }
            let resolution: String = if case .none(let why) = decision { why } else { "refunded" }
            try await connection.query("UPDATE order_closures SET resolution = \(resolution), refund_id = \(refundID) WHERE order_id = \(orderID)", logger: logger)
        }
    }
}
