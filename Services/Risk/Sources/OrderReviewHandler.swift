import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The automatic review of every `order.received`: record the order's signals (keyed hashes of
/// phone and address, account, coupon), count what the velocity and abuse rules need, evaluate
/// the policy, store the decision with every finding, and emit `order.verified`, `order.held` or
/// `order.rejected` on `oms.risk.decisions`. An `order.cancelled` takes a held order out of the
/// review queue. Invariant: one decision per order; a decided order is never re-opened (replays
/// are stopped by the inbox and, behind it, by the decision's primary key).
public struct OrderReviewHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderReceived.eventType, OrderCancelled.eventType]
    let hasher: PIIHasher

    public init(hasher: PIIHasher) {
        self.hasher = hasher
    }

    public func handle(_ event: EventEnvelope, context: TransactionContext) async throws {
        try await handle(batch: [event], context: context)
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let policy = try await RiskPolicyStore.current(on: context.connection, logger: context.logger)
        let evaluator = RiskEvaluator(policy: policy)
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                let received: OrderReceived
                do { received = try event.decode(OrderReceived.self) } catch { throw HandlerRejection("undecodable order.received: \(error)") }
                try await review(received, event: event, evaluator: evaluator, context: context)
            case OrderCancelled.eventType:
                let cancelled: OrderCancelled
                do { cancelled = try event.decode(OrderCancelled.self) } catch { throw HandlerRejection("undecodable order.cancelled: \(error)") }
                try await context.connection.query("""
                    UPDATE decisions SET status = 'cancelled', decided_at = \(cancelled.cancelledAt), reviewer_note = 'order cancelled'
                    WHERE order_id = \(cancelled.orderID) AND status = 'held'
                    """, logger: context.logger)
            default:
                continue
            }
        }
    }

    private func review(_ received: OrderReceived, event: EventEnvelope, evaluator: RiskEvaluator, context: TransactionContext) async throws {
        let order = received.order
        let connection = context.connection, logger = context.logger
        let existing = try await connection.query("SELECT 1 FROM decisions WHERE order_id = \(order.orderID)", logger: logger)
        for try await _ in existing.decode(Int.self) { return }

        let phoneHash = order.customer.phone.isEmpty ? "" : hasher.phone(order.customer.phone)
        let addressHash = order.deliveryAddress.map(hasher.address) ?? ""
        try await connection.query("""
            INSERT INTO order_signals (order_id, channel, customer_key, phone_hash, address_hash, device_key, coupon_code, total_fen, placed_at)
            VALUES (\(order.orderID), \(order.channel.rawValue), \(order.customer.customerKey), NULLIF(\(phoneHash), ''), NULLIF(\(addressHash), ''),
                    \(order.deviceKey), \(received.couponCode), \(order.total.minorUnits), \(order.placedAt))
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
        // Every known order within the window on either side: one phone's orders arrive on
        // different partitions in any order, and whichever is processed past the limit is held.
        let window = Double(evaluator.policy.velocityWindowMinutes) * 60
        let from = order.placedAt.addingTimeInterval(-window)
        let at = order.placedAt.addingTimeInterval(window)
        let rows = try await connection.query("""
            SELECT
              (SELECT count(*) FROM order_signals WHERE phone_hash = NULLIF(\(phoneHash), '') AND placed_at > \(from) AND placed_at < \(at))::int,
              (SELECT count(*) FROM order_signals WHERE address_hash = NULLIF(\(addressHash), '') AND placed_at > \(from) AND placed_at < \(at))::int,
              (SELECT count(*) FROM order_signals WHERE customer_key = \(order.customer.customerKey) AND customer_key <> 'anonymous'
                 AND placed_at > \(from) AND placed_at < \(at))::int,
              (SELECT count(*) FROM order_signals WHERE device_key = \(order.deviceKey) AND placed_at > \(from) AND placed_at < \(at))::int,
              (SELECT count(DISTINCT customer_key) FROM order_signals WHERE coupon_code IS NOT NULL AND customer_key <> \(order.customer.customerKey)
                 AND (phone_hash = NULLIF(\(phoneHash), '') OR address_hash = NULLIF(\(addressHash), '') OR device_key = \(order.deviceKey)) AND placed_at > \(from) AND placed_at < \(at))::int,
              EXISTS (SELECT 1 FROM deny_list WHERE kind = 'phone' AND value_hash = \(phoneHash)),
              EXISTS (SELECT 1 FROM deny_list WHERE kind = 'address' AND value_hash = \(addressHash))
            """, logger: logger)
        var signals = RiskSignals()
        for try await (phone, address, account, device, coupons, phoneDenied, addressDenied) in rows.decode((Int, Int, Int, Int, Int, Bool, Bool).self) {
            signals = RiskSignals(ordersFromPhone: phone, ordersToAddress: address, ordersFromAccount: account, ordersFromDevice: device,
                                  otherCouponAccountsInHousehold: coupons, phoneDenied: phoneDenied, addressDenied: addressDenied)
        }
        let decision = evaluator.evaluate(order, couponCode: received.couponCode, signals: signals)
        let now = Date()
        let body = String(decoding: try EventCoding.encode(PIIVault.process.seal(order)), as: UTF8.self)
        let findings = String(decoding: try EventCoding.encode(decision.findings), as: UTF8.self)
        let held = decision.outcome == .held
        try await connection.query("""
            INSERT INTO decisions (order_id, channel, status, score, findings, decided_by, order_body, held_at, decided_at)
            VALUES (\(order.orderID), \(order.channel.rawValue), \(decision.outcome.rawValue), \(decision.score), \(findings)::jsonb,
                    \(held ? nil : "rules"), \(body)::jsonb, \(held ? now : nil), \(held ? nil : now))
            """, logger: logger)
        switch decision.outcome {
        case .verified:
            try context.emit(OrderVerified(orderID: order.orderID, score: decision.score, findings: decision.findings, decidedBy: "rules", verifiedAt: now, order: order),
                             orderID: order.orderID, topic: TopicCatalogue.riskDecisions, causedBy: event)
        case .held:
            try context.emit(OrderHeld(orderID: order.orderID, score: decision.score, findings: decision.findings, heldAt: now),
                             orderID: order.orderID, topic: TopicCatalogue.riskDecisions, causedBy: event)
        case .rejected:
            let reasons = decision.findings.filter { $0.score >= evaluator.policy.rejectScore }.map { RejectionReason(code: $0.rule, message: $0.reason) }
            try context.emit(OrderRejected(orderID: order.orderID, channel: order.channel, channelOrderID: order.channelOrderID,
                                           reasons: reasons.isEmpty ? decision.findings.map { RejectionReason(code: $0.rule, message: $0.reason) } : reasons, rejectedAt: now),
                             orderID: order.orderID, topic: TopicCatalogue.riskDecisions, causedBy: event)
        }
        context.logger.debug("order reviewed", metadata: ["orderId": "\(order.orderID)", "outcome": "\(decision.outcome.rawValue)", "score": "\(decision.score)"])
    }
}

/// Reads and saves the review policy. Invariant: without a saved policy the defaults apply.
public enum RiskPolicyStore {
    public static func current(on connection: PostgresConnection, logger: Logger) async throws -> RiskPolicy {
        let rows = try await connection.query("SELECT policy::text FROM risk_policy WHERE id = 1", logger: logger)
        for try await json in rows.decode(String.self) {
            return (try? EventCoding.decode(RiskPolicy.self, from: Array(json.utf8))) ?? RiskPolicy()
        }
        return RiskPolicy()
    }

    public static func save(_ policy: RiskPolicy, by user: String, on connection: PostgresConnection, logger: Logger) async throws {
        let json = String(decoding: try EventCoding.encode(policy), as: UTF8.self)
        try await connection.query("""
            INSERT INTO risk_policy (id, policy, updated_by) VALUES (1, \(json)::jsonb, \(user))
            ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by, updated_at = now()
            """, logger: logger)
    }
}
