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

    /// Records `event` once, with the deliveries of `subscriptions` (each with the order's channel
    /// when known). A delivery already recorded stays as it is.
    static func record(_ event: EventEnvelope, masked: String, sealedFull: String?, deliveries: [(subscriptionID: String, channel: String?)],
                       connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO webhook_events (event_id, event_type, order_key, occurred_at, masked_body, sealed_body)
            VALUES (\(event.eventID), \(event.type), \(event.orderID), \(event.occurredAt), \(masked), \(sealedFull))
            ON CONFLICT (event_id) DO UPDATE SET sealed_body = coalesce(webhook_events.sealed_body, excluded.sealed_body)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, order_key, occurred_at, channel)
            SELECT s, \(event.eventID), \(event.type), \(event.orderID), \(event.occurredAt), nullif(c, '')
            FROM unnest(\(deliveries.map(\.subscriptionID))::text[], \(deliveries.map { $0.channel ?? "" })::text[]) AS t(s, c)
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

    /// Learns an order's channel: deliveries that waited for it get it, and those of a
    /// subscription filtering on another channel are skipped.
    static func learnChannel(_ channel: String, of orderID: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("INSERT INTO order_channels (order_id, channel) VALUES (\(orderID), \(channel)) ON CONFLICT (order_id) DO NOTHING", logger: logger)
        try await connection.query("""
            UPDATE webhook_deliveries d SET channel = \(channel),
                   status = CASE WHEN s.channel IS NOT NULL AND s.channel <> \(channel) THEN 'skipped' ELSE d.status END
            FROM webhook_subscriptions s
            WHERE s.subscription_id = d.subscription_id AND d.order_key = \(orderID) AND d.channel IS NULL AND d.status = 'pending'
            """, logger: logger)
    }

    // MARK: dispatching

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
        let rows = try await connection.query("""
            WITH due AS (
                SELECT d.delivery_id FROM webhook_deliveries d
                WHERE d.subscription_id = \(subscription.subscriptionId) AND d.status = 'pending' AND d.next_attempt_at <= now()
                  AND d.created_at <= now() - make_interval(secs => \(Double(settleMilliseconds) / 1000))
                  AND (NOT \(filtered) OR d.channel IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id AND e.order_key = d.order_key
                                  AND e.status = 'pending' AND (e.occurred_at, e.delivery_id) < (d.occurred_at, d.delivery_id))
                ORDER BY d.occurred_at, d.delivery_id LIMIT \(limit) FOR UPDATE OF d SKIP LOCKED)
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

    /// Applies the step after attempt `claim.attempt`, only if the delivery is still at that
    /// attempt (a late result after the lease ran out and another attempt began changes nothing).
    /// Returns whether it applied.
    static func apply(_ step: WebhookRetryPolicy.Step, to claim: Claim, statusCode: Int?, error: String?, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let status: String
        var waitMilliseconds = 0
        switch step {
        case .delivered: status = "delivered"
        case .gone: status = "gone"
        case .failed: status = "failed"
        case .retry(let wait):
            status = "pending"
            waitMilliseconds = wait
        }
        let rows = try await connection.query("""
            UPDATE webhook_deliveries SET status = \(status), last_status_code = \(statusCode), last_error = \(error.map { String($0.prefix(300)) }),
                   delivered_at = CASE WHEN \(status) = 'delivered' THEN now() ELSE delivered_at END,
                   next_attempt_at = now() + make_interval(secs => \(Double(waitMilliseconds) / 1000))
            WHERE delivery_id = \(claim.deliveryId) AND status = 'pending' AND attempts = \(claim.attempt)
            RETURNING delivery_id
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
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

    static func backlog(connection: PostgresConnection, logger: Logger) async throws -> [Backlog] {
        let rows = try await connection.query("""
            SELECT s.subscription_id,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.subscription_id AND d.status = 'pending')::int8,
                   coalesce((SELECT extract(epoch FROM now() - min(d.created_at)) FROM webhook_deliveries d
                             WHERE d.subscription_id = s.subscription_id AND d.status = 'pending'), 0)::int8,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.subscription_id AND d.status = 'failed')::int8
            FROM webhook_subscriptions s ORDER BY s.subscription_id
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
