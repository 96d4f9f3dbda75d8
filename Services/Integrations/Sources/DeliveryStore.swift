import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of the delivery log: the events subscriptions want, one delivery per (subscription,
/// event), claims with a lease, results, redelivery and retention. Invariant: a delivery is
/// claimed only when no pending delivery of the same order and subscription happened earlier
/// (`occurredAt`, then recording order), and only once it has been recorded for the settle time
/// (events of one order produced moments apart on different topics are recorded first, then sent
/// in the order they happened); a claim holds a lease (the delivery's next attempt time), so a
/// process killed mid-delivery leaves it to be claimed again, never lost.
enum DeliveryStore {
    /// One delivery as ops see it in the log.
    struct View: Codable, Sendable {
        var deliveryId: Int64
        var subscriptionId: String
        var eventId: UUID
        var eventType: String
        var orderId: String
        var channel: String?
        var status: String
        var attempts: Int
        var nextAttemptAt: Date?
        var lastAttemptAt: Date?
        var lastStatusCode: Int?
        var lastError: String?
        var deliveredAt: Date?
        var createdAt: Date
    }

    /// A claimed delivery: what to send, and the attempt number it is.
    struct Claim: Sendable {
        var deliveryId: Int64
        var eventId: UUID
        var eventType: String
        var attempt: Int
        var maskedBody: String
        var sealedBody: String?
    }

    static let statuses = ["pending", "delivered", "failed", "gone", "skipped"]

    // MARK: recording (the event handler)

    /// An event some subscriptions want, with its bodies and the deliveries to record.
    struct Recording: Sendable {
        var event: EventEnvelope
        var masked: String
        var sealedFull: String?
        var deliveries: [(subscriptionID: String, channel: String?)]
    }

    /// Records each event once, with its deliveries, in two statements for the whole batch. An
    /// event or a delivery already recorded stays as it is.
    static func record(_ recordings: [Recording], connection: PostgresConnection, logger: Logger) async throws {
        guard !recordings.isEmpty else { return }
        let events = recordings.map(\.event)
        try await connection.query("""
            INSERT INTO webhook_events (event_id, event_type, order_key, occurred_at, masked_body, sealed_body)
            SELECT i, t, k, o, m, nullif(f, '')
            FROM unnest(\(events.map(\.eventID))::uuid[], \(events.map(\.type))::text[], \(events.map(\.orderID))::text[], \(events.map(\.occurredAt))::timestamptz[],
                        \(recordings.map(\.masked))::text[], \(recordings.map { $0.sealedFull ?? "" })::text[]) AS e(i, t, k, o, m, f)
            ON CONFLICT (event_id) DO UPDATE SET sealed_body = coalesce(webhook_events.sealed_body, excluded.sealed_body)
            """, logger: logger)
        let rows = recordings.flatMap { recording in recording.deliveries.map { (recording.event, $0.subscriptionID, $0.channel ?? "") } }
        try await connection.query("""
            INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, order_key, occurred_at, channel)
            SELECT s, i, t, k, o, nullif(c, '')
            FROM unnest(\(rows.map(\.1))::text[], \(rows.map(\.0.eventID))::uuid[], \(rows.map(\.0.type))::text[], \(rows.map(\.0.orderID))::text[],
                        \(rows.map(\.0.occurredAt))::timestamptz[], \(rows.map(\.2))::text[]) AS d(s, i, t, k, o, c)
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            """, logger: logger)
    }

    /// The channels known for these orders.
    static func channels(of orderIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        guard !orderIDs.isEmpty else { return [:] }
        var result: [String: String] = [:]
        let rows = try await connection.query("SELECT order_id, channel FROM order_channels WHERE order_id = ANY(\(orderIDs))", logger: logger)
        for try await (order, channel) in rows.decode((String, String).self) { result[order] = channel }
        return result
    }

    /// Learns orders' channels: deliveries that waited for one get it, and those of a subscription
    /// filtering on another channel are skipped. Two statements for the whole batch.
    static func learnChannels(_ channels: [String: String], connection: PostgresConnection, logger: Logger) async throws {
        guard !channels.isEmpty else { return }
        let orders = Array(channels.keys), names = orders.map { channels[$0]! }
        try await connection.query("""
            INSERT INTO order_channels (order_id, channel) SELECT * FROM unnest(\(orders)::text[], \(names)::text[]) ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
        try await connection.query("""
            UPDATE webhook_deliveries d SET channel = t.c,
                   status = CASE WHEN s.channel IS NOT NULL AND s.channel <> t.c THEN 'skipped' ELSE d.status END
            FROM unnest(\(orders)::text[], \(names)::text[]) AS t(o, c), webhook_subscriptions s
            WHERE d.channel IS NULL AND d.status = 'pending' AND d.order_key = t.o AND s.subscription_id = d.subscription_id
            """, logger: logger)
    }

    // MARK: dispatching

    /// Makes the caller's transaction commit without waiting for its WAL flush. Only for the
    /// dispatcher's bookkeeping (claims, results): a crash can lose the last moments of it, which
    /// only means a delivery is sent again under the same event id (receivers dedup), never one
    /// lost. Never for the fan-out, whose commit the consumer's offset commit relies on.
    static func relaxDurability(connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SET LOCAL synchronous_commit = off", logger: logger)
    }

    /// Active subscriptions with a delivery due now.
    static func subscriptionsDue(connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT s.subscription_id FROM webhook_subscriptions s
            WHERE s.status = 'active' AND EXISTS (
                SELECT 1 FROM webhook_deliveries d WHERE d.subscription_id = s.subscription_id AND d.status = 'pending' AND d.next_attempt_at <= now())
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// Claims up to `limit` due deliveries of `subscription` recorded at least `settleMilliseconds`
    /// ago, at most one per order (the earliest pending), counting the attempt and leasing each for
    /// `leaseSeconds`.
    static func claim(_ subscription: WebhookSubscription, limit: Int, leaseSeconds: Int, settleMilliseconds: Int,
                      connection: PostgresConnection, logger: Logger) async throws -> [Claim] {
        let filtered = subscription.channel != nil
        // The head of each order's queue (its earliest pending delivery) in one pass over the
        // subscription's pending deliveries, in the order of the partial index (no anti-join,
        // which the planner turned quadratic on a fresh table); then the due heads, earliest first,
        // locked, with their state checked again on the locked row.
        let rows = try await connection.query("""
            WITH due AS (
                SELECT d.delivery_id FROM webhook_deliveries d
                WHERE d.delivery_id = ANY(ARRAY(
                        SELECT h.delivery_id FROM (
                            SELECT DISTINCT ON (order_key) delivery_id, occurred_at, next_attempt_at, created_at, channel
                            FROM webhook_deliveries WHERE subscription_id = \(subscription.subscriptionId) AND status = 'pending'
                            ORDER BY order_key, occurred_at, delivery_id) h
                        WHERE h.next_attempt_at <= now() AND h.created_at <= now() - make_interval(secs => \(Double(settleMilliseconds) / 1000))
                          AND (NOT \(filtered) OR h.channel IS NOT NULL)
                        ORDER BY h.occurred_at, h.delivery_id LIMIT \(limit)))
                  AND d.status = 'pending' AND d.next_attempt_at <= now()
                ORDER BY d.occurred_at, d.delivery_id FOR UPDATE SKIP LOCKED)
            UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => \(Double(leaseSeconds)))
            FROM due, webhook_events ev WHERE d.delivery_id = due.delivery_id AND ev.event_id = d.event_id
            RETURNING d.delivery_id, d.event_id, d.event_type, d.attempts, ev.masked_body, ev.sealed_body
            """, logger: logger)
        var claims: [Claim] = []
        for try await r in rows.decode((Int64, UUID, String, Int, String, String?).self) {
            claims.append(Claim(deliveryId: r.0, eventId: r.1, eventType: r.2, attempt: r.3, maskedBody: r.4, sealedBody: r.5))
        }
        return claims.sorted { $0.deliveryId < $1.deliveryId }
    }

    /// One delivery's outcome to record.
    struct Outcome: Sendable {
        var claim: Claim
        var step: WebhookRetryPolicy.Step
        var statusCode: Int?
        var error: String?
    }

    /// Applies each outcome in one statement, only where the delivery is still pending at the
    /// claimed attempt (a late result after the lease ran out and another attempt began changes
    /// nothing). Returns the ids of the deliveries it applied to.
    static func apply(_ outcomes: [Outcome], connection: PostgresConnection, logger: Logger) async throws -> Set<Int64> {
        guard !outcomes.isEmpty else { return [] }
        let statuses = outcomes.map { outcome -> String in
            switch outcome.step {
            case .delivered: "delivered"
            case .gone: "gone"
            case .failed: "failed"
            case .retry: "pending"
            }
        }
        let waits = outcomes.map { outcome -> Double in
            if case .retry(let wait) = outcome.step { return Double(wait) / 1_000 }
            return 0
        }
        let rows = try await connection.query("""
            UPDATE webhook_deliveries d SET status = o.s, last_status_code = nullif(o.c, 0), last_error = nullif(o.e, ''),
                   delivered_at = CASE WHEN o.s = 'delivered' THEN now() ELSE d.delivered_at END,
                   next_attempt_at = now() + make_interval(secs => o.w)
            FROM unnest(\(outcomes.map(\.claim.deliveryId))::int8[], \(outcomes.map(\.claim.attempt))::int8[], \(statuses)::text[],
                        \(outcomes.map { $0.statusCode ?? 0 })::int8[], \(outcomes.map { String(($0.error ?? "").prefix(300)) })::text[], \(waits)::float8[]) AS o(i, a, s, c, e, w)
            WHERE d.delivery_id = o.i AND d.status = 'pending' AND d.attempts = o.a
            RETURNING d.delivery_id
            """, logger: logger)
        var applied = Set<Int64>()
        for try await id in rows.decode(Int64.self) { applied.insert(id) }
        return applied
    }

    // MARK: the log

    static let viewColumns = """
        delivery_id, subscription_id, event_id, event_type, order_key, channel, status, attempts,
        CASE WHEN status = 'pending' THEN next_attempt_at END, last_attempt_at, last_status_code, last_error, delivered_at, created_at
        """

    static func views(_ rows: PostgresRowSequence) async throws -> [View] {
        var views: [View] = []
        for try await r in rows.decode((Int64, String, UUID, String, String, String?, String, Int, Date?, Date?, Int?, String?, Date?, Date).self) {
            views.append(View(deliveryId: r.0, subscriptionId: r.1, eventId: r.2, eventType: r.3, orderId: r.4, channel: r.5, status: r.6, attempts: r.7,
                              nextAttemptAt: r.8, lastAttemptAt: r.9, lastStatusCode: r.10, lastError: r.11, deliveredAt: r.12, createdAt: r.13))
        }
        return views
    }

    /// A subscription's deliveries, newest first; `before` pages back by delivery id.
    static func list(subscription: String, status: String?, orderID: String?, before: Int64?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        try await views(connection.query("""
            SELECT \(unescaped: viewColumns) FROM webhook_deliveries
            WHERE subscription_id = \(subscription) AND (\(status)::text IS NULL OR status = \(status)) AND (\(orderID)::text IS NULL OR order_key = \(orderID))
              AND (\(before)::int8 IS NULL OR delivery_id < \(before))
            ORDER BY delivery_id DESC LIMIT \(limit)
            """, logger: logger))
    }

    static func find(_ id: Int64, connection: PostgresConnection, logger: Logger) async throws -> View? {
        try await views(connection.query("SELECT \(unescaped: viewColumns) FROM webhook_deliveries WHERE delivery_id = \(id)", logger: logger)).first
    }

    /// Queues a delivery again (failed, gone, or delivered: a receiver that lost it) with fresh
    /// attempts; false when it is pending or skipped or not found.
    static func redeliver(_ id: Int64, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
            WHERE delivery_id = \(id) AND status IN ('failed', 'gone', 'delivered') RETURNING delivery_id
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Queues again every failed (or gone) delivery of `subscription` created since `since`; how many.
    static func redeliverFailed(subscription: String, since: Date, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            WITH again AS (
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
                WHERE subscription_id = \(subscription) AND status IN ('failed', 'gone') AND created_at >= \(since) RETURNING 1)
            SELECT count(*)::int8 FROM again
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Per subscription: pending deliveries, the age of the oldest in seconds, failed deliveries.
    struct Backlog: Codable, Sendable {
        var subscriptionId: String
        var pending: Int
        var oldestPendingSeconds: Int
        var failed: Int
    }

    /// Every subscription's backlog, or only `subscription`'s.
    static func backlog(of subscription: String? = nil, connection: PostgresConnection, logger: Logger) async throws -> [Backlog] {
        let rows = try await connection.query("""
            SELECT s.subscription_id,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.subscription_id AND d.status = 'pending')::int8,
                   coalesce((SELECT extract(epoch FROM now() - min(d.created_at)) FROM webhook_deliveries d
                             WHERE d.subscription_id = s.subscription_id AND d.status = 'pending'), 0)::int8,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.subscription_id AND d.status = 'failed')::int8
            FROM webhook_subscriptions s WHERE \(subscription)::text IS NULL OR s.subscription_id = \(subscription) ORDER BY s.subscription_id
            """, logger: logger)
        var result: [Backlog] = []
        for try await r in rows.decode((String, Int64, Int64, Int64).self) {
            result.append(Backlog(subscriptionId: r.0, pending: Int(r.1), oldestPendingSeconds: Int(r.2), failed: Int(r.3)))
        }
        return result
    }

    /// Deletes finished deliveries older than `days` days, events no delivery refers to any more,
    /// and order channels older than a year (or than `days`, if longer). Returns deliveries deleted.
    static func prune(olderThanDays days: Int, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            WITH gone AS (DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - make_interval(days => \(days)::int) RETURNING 1)
            SELECT count(*)::int8 FROM gone
            """, logger: logger)
        var deleted = 0
        for try await count in rows.decode(Int64.self) { deleted = Int(count) }
        try await connection.query("""
            DELETE FROM webhook_events ev WHERE ev.recorded_at < now() - make_interval(days => \(days)::int)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.event_id)
            """, logger: logger)
        try await connection.query("DELETE FROM order_channels WHERE recorded_at < now() - make_interval(days => \(max(days, 365))::int)", logger: logger)
        return deleted
    }
}
