import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The SQL of refunds and their payment, and of orders that ended early (cancelled, rejected).
/// Invariant: a refund reaches a final state once, and its `aftersales.refund-settled` is emitted
/// in the transaction that moves it there; an order's refunds never add up to more than it paid.
struct RefundStore: Sendable {
    /// A refund claimed for one submission to its provider.
    struct Claim: Sendable, Equatable {
        var submission: RefundSubmission
        var provider: String
        var attempt: Int
        var failures: Int
    }

    /// One refund as finance and customer service see it.
    struct View: Codable, Sendable {
        var refundId: String
        var orderId: String
        var returnId: String?
        var cause: String
        var status: String
        var amountFen: Int64
        var paymentMethod: String
        var provider: String
        var attempts: Int
        var providerRefundId: String?
        var lastError: String?
        var recoveryDue: Bool
        var issuedAt: Date
        var nextAttemptAt: Date?
        var settledAt: Date?
    }

    // MARK: Requesting

    /// Records `issued` as owed to the customer. A `held` refund waits for `releaseAt` and the
    /// warehouses (its `aftersales.refund-issued` is emitted on release); a `requested` one is issued now.
    static func recordRefund(_ issued: RefundIssued, order: Order, held releaseAt: Date?, context: TransactionContext) async throws {
        try await recordRefund(issued, payment: order.payment, held: releaseAt, context: context)
    }

    /// Records `issued` as owed back to `payment`: one row per transaction it is paid from
    /// (`RefundSplit`: a presale order's balance first, then its deposit as `<id>-D`, which names
    /// the return only through the refund it is part of: one refund row per return).
    static func recordRefund(_ issued: RefundIssued, payment: Payment, held releaseAt: Date?, context: TransactionContext) async throws {
        let provider = PaymentProviders.providerName(for: payment.method)
        let detail = String(decoding: try EventCoding.encode(issued), as: UTF8.self)
        let status = releaseAt == nil ? RefundPaymentStatus.requested : .held
        let taken = payment.deposit == nil ? [:] : try await refundedByTransaction(orderID: issued.orderID, connection: context.connection, logger: context.logger)
        for part in RefundSplit.parts(refundId: issued.refundId, amount: issued.amount.minorUnits, payment: payment, refundedByTransaction: taken) {
            try await context.connection.query("""
                INSERT INTO refunds (refund_id, return_id, order_id, amount_fen, detail, issued_at, cause, status, payment_method, provider,
                                     transaction_id, paid_total_fen, next_attempt_at, part_of)
                VALUES (\(part.refundId), \(part.partOf == nil ? issued.returnId : nil), \(issued.orderID), \(part.amount), \(detail)::jsonb, \(issued.issuedAt),
                        \((issued.cause ?? .return).rawValue), \(status.rawValue), \(payment.method.rawValue), \(provider),
                        \(part.transactionId), \(part.paidTotal), \(releaseAt ?? issued.issuedAt), \(part.partOf))
                """, logger: context.logger)
        }
        if releaseAt == nil {
            try context.emit(issued, orderID: issued.orderID, topic: TopicCatalogue.afterSalesEvents)
        }
    }

    /// What the order's refunds (any not voided) took from each of its transactions, in fen.
    static func refundedByTransaction(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [String: Int64] {
        let rows = try await connection.query("""
            SELECT coalesce(transaction_id, ''), sum(amount_fen)::int8 FROM refunds WHERE order_id = \(orderID) AND status <> 'voided' GROUP BY 1
            """, logger: logger)
        var taken: [String: Int64] = [:]
        for try await (transaction, sum) in rows.decode((String, Int64).self) { taken[transaction] = sum }
        return taken
    }

    /// What the order's refunds (any not voided) give back, in fen.
    static func refundedFen(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT coalesce(sum(amount_fen), 0)::int8 FROM refunds WHERE order_id = \(orderID) AND status <> 'voided'", logger: logger)
        for try await sum in rows.decode(Int64.self) { return sum }
        return 0
    }

    // MARK: Paying

    /// Releases held cancellation refunds whose hold passed and whose warehouses stopped the work,
    /// then claims up to `limit` due refunds, marking each submitted (a lease of `leaseSeconds`:
    /// a process that dies mid-call leaves it to be submitted again, which the provider dedups).
    static func claimDue(now: Date, limit: Int, leaseSeconds: Int, context: TransactionContext) async throws -> [Claim] {
        let connection = context.connection, logger = context.logger
        let released = try await connection.query("""
            UPDATE refunds r SET status = 'requested', next_attempt_at = \(now)
            FROM order_closures c
            WHERE r.status = 'held' AND c.refund_id = coalesce(r.part_of, r.refund_id) AND r.next_attempt_at <= \(now)
              AND NOT c.fulfillment_refused AND (NOT c.awaits_fulfillment OR c.fulfillment_cancelled)
            RETURNING r.detail::text, r.part_of IS NULL
            """, logger: logger)
        // A refund paid from two transactions is released as two rows and announced once.
        for try await (detail, whole) in released.decode((String, Bool).self) where whole {
            let issued = try EventCoding.decode(RefundIssued.self, from: Array(detail.utf8))
            try context.emit(issued, orderID: issued.orderID, topic: TopicCatalogue.afterSalesEvents)
        }
        let rows = try await connection.query("""
            UPDATE refunds SET status = 'submitted', attempts = attempts + 1, submitted_at = \(now),
                               next_attempt_at = \(now.addingTimeInterval(TimeInterval(leaseSeconds)))
            WHERE refund_id IN (SELECT refund_id FROM refunds WHERE status IN ('requested', 'submitted') AND next_attempt_at <= \(now)
                                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING refund_id, order_id, transaction_id, amount_fen, paid_total_fen, payment_method, provider, attempts, failures, cause,
                      coalesce(return_id, (SELECT w.return_id FROM refunds w WHERE w.refund_id = refunds.part_of), '')
            """, logger: logger)
        var claims: [Claim] = []
        for try await (refund, order, transaction, amount, paid, method, provider, attempts, failures, cause, returnId) in rows.decode(
            (String, String, String?, Int64, Int64, String, String, Int, Int, String, String).self) {
            let reason = switch cause {
            case "return": "退货退款 \(returnId)"
            case "cancellation": "订单取消退款"
            case "presaleDeposit": "预售订单取消退还定金"
            case "lineCancellation": "部分商品取消退款"
            case "substitution": "缺货换款差价退款"
            default: "订单未通过审核退款"
            }
            claims.append(Claim(submission: RefundSubmission(refundId: refund, orderID: order, transactionId: transaction, amount: .fen(amount), paidTotal: .fen(paid),
                                                             reason: reason, method: PaymentMethod(rawValue: method) ?? .card),
                                provider: provider, attempt: attempts, failures: failures))
        }
        return claims
    }

    /// Applies the next step of the submission `claim.attempt`; a late answer to an earlier
    /// submission, or one a notification already settled, changes nothing. True when it settled.
    @discardableResult
    static func apply(_ step: RefundRetryPolicy.Step, to claim: Claim, now: Date, context: TransactionContext) async throws -> Bool {
        let connection = context.connection, logger = context.logger, id = claim.submission.refundId
        switch step {
        case .settle(let outcome, let providerRefundId, let reason):
            return try await settle(id, outcome: outcome, providerRefundId: providerRefundId, reason: reason, onlyAttempt: claim.attempt, now: now, context: context)
        case .wait(let providerRefundId, let seconds):
            try await connection.query("""
                UPDATE refunds SET provider_refund_id = coalesce(\(providerRefundId), provider_refund_id), last_error = NULL,
                                   next_attempt_at = \(now.addingTimeInterval(TimeInterval(seconds)))
                WHERE refund_id = \(id) AND status = 'submitted' AND attempts = \(claim.attempt)
                """, logger: logger)
        case .retry(let seconds, let error):
            try await connection.query("""
                UPDATE refunds SET status = 'requested', failures = failures + 1, last_error = \(String(error.prefix(300))),
                                   next_attempt_at = \(now.addingTimeInterval(TimeInterval(seconds)))
                WHERE refund_id = \(id) AND status = 'submitted' AND attempts = \(claim.attempt)
                """, logger: logger)
        }
        return false
    }

    /// Moves a refund that is not final to `outcome` and emits `aftersales.refund-settled`.
    /// `onlyAttempt` limits it to that submission; nil (a notification) to any state not final.
    static func settle(_ refundId: String, outcome: RefundOutcome, providerRefundId: String?, reason: String?, onlyAttempt: Int?, now: Date,
                       context: TransactionContext) async throws -> Bool {
        let rows = try await context.connection.query("""
            UPDATE refunds SET status = \(outcome.rawValue), settled_at = \(now), provider_refund_id = coalesce(\(providerRefundId), provider_refund_id),
                               last_error = \(reason)
            WHERE refund_id = \(refundId) AND status IN ('requested', 'submitted') AND (\(onlyAttempt)::int4 IS NULL OR attempts = \(onlyAttempt))
            RETURNING order_id, amount_fen, provider, provider_refund_id, attempts
            """, logger: context.logger)
        for try await (order, amount, provider, providerRefund, attempts) in rows.decode((String, Int64, String, String?, Int).self) {
            try context.emit(RefundSettled(refundId: refundId, orderID: order, amount: .fen(amount), refundOutcome: outcome, provider: provider,
                                           providerRefundId: providerRefund, reasonCode: reason, attempts: attempts, settledAt: now),
                             orderID: order, topic: TopicCatalogue.afterSalesEvents)
            return true
        }
        return false
    }

    /// Puts a failed refund back in the queue (finance fixed the cause), keeping its id.
    static func retry(_ refundId: String, now: Date, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE refunds SET status = 'requested', failures = 0, next_attempt_at = \(now), settled_at = NULL
            WHERE refund_id = \(refundId) AND status = 'failed' RETURNING refund_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    // MARK: Reading

    static func view(_ refundId: String, connection: PostgresConnection, logger: Logger) async throws -> View? {
        try await list(where: refundId, status: nil, orderID: nil, limit: 1, connection: connection, logger: logger).first
    }

    static func list(where refundId: String? = nil, status: String?, orderID: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        let rows = try await connection.query("""
            SELECT refund_id, order_id, return_id, cause, status, amount_fen, payment_method, provider, attempts, provider_refund_id, last_error,
                   recovery_due, issued_at, CASE WHEN status IN ('held', 'requested', 'submitted') THEN next_attempt_at END, settled_at
            FROM refunds
            WHERE (\(refundId)::text IS NULL OR refund_id = \(refundId)) AND (\(status)::text IS NULL OR status = \(status))
              AND (\(orderID)::text IS NULL OR order_id = \(orderID))
            ORDER BY issued_at DESC, refund_id LIMIT \(limit)
            """, logger: logger)
        var views: [View] = []
        for try await row in rows.decode((String, String, String?, String, String, Int64, String, String, Int, String?, String?, Bool, Date, Date?, Date?).self) {
            views.append(View(refundId: row.0, orderId: row.1, returnId: row.2, cause: row.3, status: row.4, amountFen: row.5, paymentMethod: row.6, provider: row.7,
                              attempts: row.8, providerRefundId: row.9, lastError: row.10, recoveryDue: row.11, issuedAt: row.12, nextAttemptAt: row.13, settledAt: row.14))
        }
        return views
    }
}
