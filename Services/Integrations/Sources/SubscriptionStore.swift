import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of the `webhook_subscriptions` table. Invariant: the secret is stored only sealed, and only
/// `create` sees it in the clear (to show it once).
enum SubscriptionStore {
    static let columns = "subscription_id, name, url, event_types, channel, include_personal_data, status, status_reason, consecutive_failures, created_by, created_at, updated_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [WebhookSubscription] {
        var result: [WebhookSubscription] = []
        for try await r in rows.decode((String, String, String, [String], String?, Bool, String, String?, Int, String, Date, Date).self) {
            result.append(WebhookSubscription(subscriptionId: r.0, name: r.1, url: r.2, eventTypes: r.3, channel: r.4, includePersonalData: r.5,
                                              status: WebhookSubscription.Status(rawValue: r.6) ?? .disabled, statusReason: r.7, consecutiveFailures: r.8,
                                              createdBy: r.9, createdAt: r.10, updatedAt: r.11))
        }
        return result
    }

    static func create(_ subscription: WebhookSubscription, sealedSecret: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO webhook_subscriptions (subscription_id, name, url, event_types, channel, include_personal_data, secret_sealed, created_by)
            VALUES (\(subscription.subscriptionId), \(subscription.name), \(subscription.url), \(subscription.eventTypes), \(subscription.channel),
                    \(subscription.includePersonalData), \(sealedSecret), \(subscription.createdBy))
            """, logger: logger)
    }

    static func all(connection: PostgresConnection, logger: Logger) async throws -> [WebhookSubscription] {
        try await decode(connection.query("SELECT \(unescaped: columns) FROM webhook_subscriptions ORDER BY created_at, subscription_id", logger: logger))
    }

    /// Subscriptions that still take new events (active or suspended).
    static func receiving(connection: PostgresConnection, logger: Logger) async throws -> [WebhookSubscription] {
        try await decode(connection.query("SELECT \(unescaped: columns) FROM webhook_subscriptions WHERE status <> 'disabled'", logger: logger))
    }

    static func find(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> WebhookSubscription? {
        try await decode(connection.query("SELECT \(unescaped: columns) FROM webhook_subscriptions WHERE subscription_id = \(id)", logger: logger)).first
    }

    /// The sealed secrets that sign now: the current one, and the previous one while its grace
    /// period after a rotation lasts.
    static func sealedSecrets(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> (current: String, previous: String?)? {
        let rows = try await connection.query("""
            SELECT secret_sealed, CASE WHEN previous_secret_until > now() THEN previous_secret_sealed END
            FROM webhook_subscriptions WHERE subscription_id = \(id)
            """, logger: logger)
        for try await (current, previous) in rows.decode((String, String?).self) { return (current, previous) }
        return nil
    }

    /// Replaces the secret; the one replaced keeps signing for `graceSeconds` (0: not at all).
    /// False when there is no such subscription.
    static func rotateSecret(_ id: String, newSealed: String, graceSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE webhook_subscriptions SET previous_secret_sealed = secret_sealed, secret_sealed = \(newSealed),
                   previous_secret_until = now() + make_interval(secs => \(Double(graceSeconds))), updated_at = now()
            WHERE subscription_id = \(id) RETURNING subscription_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// Replaces what ops may change; false when there is no such subscription.
    static func update(_ id: String, name: String, url: String, eventTypes: [String], channel: String?, includePersonalData: Bool,
                       connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE webhook_subscriptions SET name = \(name), url = \(url), event_types = \(eventTypes), channel = \(channel),
                   include_personal_data = \(includePersonalData), updated_at = now()
            WHERE subscription_id = \(id) RETURNING subscription_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// Sets the status (with its reason); enabling resets the failure count. False when not found.
    static func setStatus(_ id: String, _ status: WebhookSubscription.Status, reason: String?, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE webhook_subscriptions SET status = \(status.rawValue), status_reason = \(reason),
                   consecutive_failures = CASE WHEN \(status.rawValue) = 'active' THEN 0 ELSE consecutive_failures END, updated_at = now()
            WHERE subscription_id = \(id) RETURNING subscription_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// After a delivered attempt: the run of failed deliveries ends.
    static func recordSuccess(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE subscription_id = \(id) AND consecutive_failures <> 0", logger: logger)
    }

    /// After a delivery failed for good: counts it, and suspends an active subscription at
    /// `threshold` failures in a row. Returns true when this call suspended it.
    static func recordFailedDelivery(_ id: String, threshold: Int, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let before = try await connection.query("SELECT status FROM webhook_subscriptions WHERE subscription_id = \(id) FOR UPDATE", logger: logger)
        var wasActive = false
        for try await status in before.decode(String.self) { wasActive = status == WebhookSubscription.Status.active.rawValue }
        let rows = try await connection.query("""
            UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1,
                   status = CASE WHEN status = 'active' AND consecutive_failures + 1 >= \(threshold) THEN 'suspended' ELSE status END,
                   status_reason = CASE WHEN status = 'active' AND consecutive_failures + 1 >= \(threshold)
                                        THEN \("\(threshold) deliveries in a row failed") ELSE status_reason END,
                   updated_at = now()
            WHERE subscription_id = \(id)
            RETURNING status
            """, logger: logger)
        for try await status in rows.decode(String.self) { return wasActive && status == WebhookSubscription.Status.suspended.rawValue }
        return false
    }
}
