import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The automatic review of every `order.received`: record the order's signals (keyed hashes of
/// phone and address, account, coupon), count what the velocity and abuse rules need, evaluate
/// the policy, store the decision with every finding, and emit `order.verified`, `order.held` or
/// `order.rejected` on `oms.risk.decisions`. An `order.cancelled` takes a held order out of the
/// review queue; customer service's `order.amended` corrects a held order's details.
/// Invariant: one decision per order; a decided order is never re-opened (replays
/// are stopped by the inbox and, behind it, by the decision's primary key).
public struct OrderReviewHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderReceived.eventType, OrderCancelled.eventType, OrderAmended.eventType]
    let hasher: PIIHasher

    public init(hasher: PIIHasher) {
        self.hasher = hasher
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let policy = try await RiskPolicyStore.current(on: context.connection, logger: context.logger)
        let evaluator = RiskEvaluator(policy: policy)
        // Runs of receipts are reviewed together (a fixed number of statements per run, not per
        // order); a cancellation first reviews the receipts before it, so event order holds.
        var run: [(received: OrderReceived, event: EventEnvelope)] = []
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                do { run.append((try event.decode(OrderReceived.self), event)) } catch { throw HandlerRejection("undecodable order.received: \(error)") }
            case OrderCancelled.eventType:
                let cancelled: OrderCancelled
                do { cancelled = try event.decode(OrderCancelled.self) } catch { throw HandlerRejection("undecodable order.cancelled: \(error)") }
                try await review(run, evaluator: evaluator, context: context)
                run.removeAll()
                try await context.connection.query("""
                    UPDATE decisions SET status = 'cancelled', decided_at = \(cancelled.cancelledAt), reviewer_note = 'order cancelled'
                    WHERE order_id = \(cancelled.orderID) AND status = 'held'
                    """, logger: context.logger)
            case OrderAmended.eventType:
                // Customer service corrected a held order's details at intake: the reviewer sees
                // them, and the release carries them downstream (inventory sources by the new address).
                let amended: OrderAmended
                do { amended = try event.decode(OrderAmended.self) } catch { throw HandlerRejection("undecodable order.amended: \(error)") }
                try await review(run, evaluator: evaluator, context: context)
                run.removeAll()
                if let decision = try await ReviewStore.locked(amended.orderID, connection: context.connection, logger: context.logger), decision.status == "held" {
                    let order = amended.applied(to: try context.vault.open(decision.sealedOrder))
                    try await ReviewStore.replaceOrder(amended.orderID, with: context.vault.seal(order), connection: context.connection, logger: context.logger)
                }
            default:
                continue
            }
        }
        try await review(run, evaluator: evaluator, context: context)
    }

    /// Reviews a run of received orders in five statements: which are already decided, a lock on
    /// their signal keys, their signals, every order's counts, their decisions. Each order's counts include the orders
    /// before it in the run and itself but not those after it, exactly as if they were reviewed
    /// one by one, so of several orders from one phone in a batch only those past the limit are held.
    private func review(_ run: [(received: OrderReceived, event: EventEnvelope)], evaluator: RiskEvaluator, context: TransactionContext) async throws {
        guard !run.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        var seen = Set<String>()
        let decided = try await connection.query("SELECT order_id FROM decisions WHERE order_id = ANY(\(run.map(\.received.order.orderID))::text[])", logger: logger)
        for try await orderID in decided.decode(String.self) { seen.insert(orderID) }
        // A replayed receipt of a decided order, or the same order twice in one run: the first only.
        let reviews = run.filter { seen.insert($0.received.order.orderID).inserted }
        guard !reviews.isEmpty else { return }

        let window = Double(evaluator.policy.velocityWindowMinutes) * 60
        var signals = ReviewSignalRows()
        for (received, _) in reviews {
            signals.append(received, hasher: hasher, window: window)
        }
        // The velocity counts must see every order of these phones, doors, accounts and devices,
        // including those another risk worker is reviewing right now (order.received is keyed by
        // order, so one phone's orders spread over partitions and workers): lock each key, sorted,
        // for the rest of the transaction; a worker reviewing the same keys waits, then counts ours.
        let keys = Set(signals.phoneHashes + signals.addressHashes + signals.deviceKeys + signals.customerKeys.map { "account:" + $0 }).subtracting([""]).sorted()
        try await connection.query("""
            SELECT count(pg_advisory_xact_lock(hashtext('oms.risk.signal'), hashtext(k))) FROM unnest(\(keys)::text[]) AS u(k)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO order_signals (order_id, channel, customer_key, phone_hash, address_hash, device_key, coupon_code, total_fen, placed_at)
            SELECT o, c, k, NULLIF(p, ''), NULLIF(a, ''), NULLIF(d, ''), NULLIF(cc, ''), t, at
            FROM unnest(\(signals.orderIDs)::text[], \(signals.channels)::text[], \(signals.customerKeys)::text[], \(signals.phoneHashes)::text[],
                        \(signals.addressHashes)::text[], \(signals.deviceKeys)::text[], \(signals.couponCodes)::text[], \(signals.totals)::int8[],
                        \(signals.placedAt)::timestamptz[]) AS u(o, c, k, p, a, d, cc, t, at)
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
        // Every known order within the window on either side: one phone's orders arrive on
        // different partitions in any order, and whichever is processed past the limit is held.
        let rows = try await connection.query("""
            WITH b AS (
              SELECT * FROM unnest(\(signals.orderIDs)::text[], \(signals.phoneHashes)::text[], \(signals.addressHashes)::text[],
                                   \(signals.customerKeys)::text[], \(signals.deviceKeys)::text[], \(signals.windowFrom)::timestamptz[],
                                   \(signals.windowTo)::timestamptz[]) WITH ORDINALITY AS b(order_id, phone, address, customer, device, w_from, w_to, n)
            )
            SELECT b.n::int8,
              (SELECT count(*) FROM order_signals s WHERE s.phone_hash = NULLIF(b.phone, '') AND s.placed_at > b.w_from AND s.placed_at < b.w_to
                 AND NOT EXISTS (SELECT 1 FROM b later WHERE later.order_id = s.order_id AND later.n > b.n))::int,
              (SELECT count(*) FROM order_signals s WHERE s.address_hash = NULLIF(b.address, '') AND s.placed_at > b.w_from AND s.placed_at < b.w_to
                 AND NOT EXISTS (SELECT 1 FROM b later WHERE later.order_id = s.order_id AND later.n > b.n))::int,
              (SELECT count(*) FROM order_signals s WHERE s.customer_key = b.customer AND s.customer_key <> 'anonymous'
                 AND s.placed_at > b.w_from AND s.placed_at < b.w_to
                 AND NOT EXISTS (SELECT 1 FROM b later WHERE later.order_id = s.order_id AND later.n > b.n))::int,
              (SELECT count(*) FROM order_signals s WHERE s.device_key = NULLIF(b.device, '') AND s.placed_at > b.w_from AND s.placed_at < b.w_to
                 AND NOT EXISTS (SELECT 1 FROM b later WHERE later.order_id = s.order_id AND later.n > b.n))::int,
              (SELECT count(DISTINCT s.customer_key) FROM order_signals s WHERE s.coupon_code IS NOT NULL AND s.customer_key <> b.customer
                 AND (s.phone_hash = NULLIF(b.phone, '') OR s.address_hash = NULLIF(b.address, '') OR s.device_key = NULLIF(b.device, ''))
                 AND s.placed_at > b.w_from AND s.placed_at < b.w_to
                 AND NOT EXISTS (SELECT 1 FROM b later WHERE later.order_id = s.order_id AND later.n > b.n))::int,
              EXISTS (SELECT 1 FROM deny_list WHERE kind = 'phone' AND value_hash = b.phone),
              EXISTS (SELECT 1 FROM deny_list WHERE kind = 'address' AND value_hash = b.address)
            FROM b ORDER BY b.n
            """, logger: logger)
        var counted = [RiskSignals](repeating: RiskSignals(), count: reviews.count)
        for try await (n, phone, address, account, device, coupons, phoneDenied, addressDenied) in rows.decode((Int64, Int, Int, Int, Int, Int, Bool, Bool).self) {
            counted[Int(n) - 1] = RiskSignals(ordersFromPhone: phone, ordersToAddress: address, ordersFromAccount: account, ordersFromDevice: device,
                                              otherCouponAccountsInHousehold: coupons, phoneDenied: phoneDenied, addressDenied: addressDenied)
        }

        let now = Date()
        var decisions = DecisionRows()
        for ((received, event), signals) in zip(reviews, counted) {
            let order = received.order
            let decision = evaluator.evaluate(order, couponCode: received.couponCode, signals: signals)
            try decisions.append(order: order, decision: decision, vault: context.vault)
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
            logger.debug("order reviewed", metadata: ["orderId": "\(order.orderID)", "outcome": "\(decision.outcome.rawValue)", "score": "\(decision.score)"])
        }
        try await connection.query("""
            INSERT INTO decisions (order_id, channel, status, score, findings, decided_by, order_body, held_at, decided_at)
            SELECT o, c, s, sc, f::jsonb, CASE WHEN s = 'held' THEN NULL ELSE 'rules' END, b::jsonb,
                   CASE WHEN s = 'held' THEN \(now) END, CASE WHEN s = 'held' THEN NULL ELSE \(now) END
            FROM unnest(\(decisions.orderIDs)::text[], \(decisions.channels)::text[], \(decisions.statuses)::text[], \(decisions.scores)::int4[],
                        \(decisions.findings)::text[], \(decisions.bodies)::text[]) AS u(o, c, s, sc, f, b)
            """, logger: logger)
    }
}

/// Reads and saves the review policy. Invariant: without a saved policy the defaults apply.
public enum RiskPolicyStore {
    public static func current(on connection: PostgresConnection, logger: Logger) async throws -> RiskPolicy {
        let rows = try await connection.query("SELECT policy::text FROM risk_policy WHERE id = 1", logger: logger)
        for try await json in rows.decode(String.self) {
            return try StoredConfiguration.decode(RiskPolicy.self, json: json, defaults: RiskPolicy(), name: "risk policy")
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
