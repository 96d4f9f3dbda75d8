import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of the stock feed: the listings ops maintain, the latest level of every SKU and what each
/// listing was last told. Invariant: a level is replaced only by a change at least as new
/// (`changedAt`), so an older change never overwrites a newer one; a push is claimed only when its
/// level is newer than what was sent (or a full sync forced it), one feed interval after the last
/// push, and under a lease, so one listing never has two pushes in flight.
enum StockFeedStore {
    /// A listed SKU as ops see it, with what the platform was last told.
    struct Listing: Codable, Sendable {
        var platform: String
        var sku: String
        var itemId: String
        var platformSkuId: String?
        var available: Int64?
        var sentQuantity: Int64?
        var sentAt: Date?
        var pushes: Int64
        var status: String
        var lastErrorCode: String?
        var lastError: String?
        var updatedAt: Date
    }

    /// Keeps the latest level of each SKU: one change per SKU (the newest of the batch), written
    /// only over an older one.
    static func recordLevels(_ changes: [(sku: String, available: Int, changedAt: Date)], connection: PostgresConnection, logger: Logger) async throws {
        var latest: [String: (Int, Date)] = [:]
        for change in changes where latest[change.sku].map({ $0.1 <= change.changedAt }) ?? true {
            latest[change.sku] = (change.available, change.changedAt)
        }
        guard !latest.isEmpty else { return }
        let skus = latest.keys.sorted()
        try await connection.query("""
            INSERT INTO stock_levels (sku, available, changed_at)
            SELECT s, a, c FROM unnest(\(skus)::text[], \(skus.map { Int64(latest[$0]!.0) })::int8[], \(skus.map { latest[$0]!.1 })::timestamptz[]) AS u(s, a, c)
            ON CONFLICT (sku) DO UPDATE SET available = excluded.available, changed_at = excluded.changed_at, version = stock_levels.version + 1
            WHERE stock_levels.changed_at <= excluded.changed_at
            """, logger: logger)
    }

    /// Creates or changes a listing; its next push is due at once.
    static func upsertListing(platform: String, sku: String, itemId: String, platformSkuId: String?, by user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO stock_listings (platform, sku, item_id, platform_sku_id, created_by) VALUES (\(platform), \(sku), \(itemId), \(platformSkuId), \(user))
            ON CONFLICT (platform, sku) DO UPDATE SET item_id = excluded.item_id, platform_sku_id = excluded.platform_sku_id, updated_at = now()
            """, logger: logger)
        try await connection.query("""
            INSERT INTO stock_pushes (platform, sku) VALUES (\(platform), \(sku))
            ON CONFLICT (platform, sku) DO UPDATE SET forced = true, status = 'ok', due_at = now(), attempts = 0, updated_at = now()
            """, logger: logger)
    }

    static func deleteListing(platform: String, sku: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("DELETE FROM stock_listings WHERE platform = \(platform) AND sku = \(sku) RETURNING sku", logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    static func listings(platform: String?, sku: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [Listing] {
        let rows = try await connection.query("""
            SELECT l.platform, l.sku, l.item_id, l.platform_sku_id, s.available, p.sent_quantity, p.sent_at, coalesce(p.pushes, 0), coalesce(p.status, 'ok'),
                   p.last_error_code, p.last_error, l.updated_at
            FROM stock_listings l LEFT JOIN stock_pushes p USING (platform, sku) LEFT JOIN stock_levels s ON s.sku = l.sku
            WHERE (\(platform ?? "") = '' OR l.platform = \(platform ?? "")) AND (\(sku ?? "") = '' OR l.sku = \(sku ?? ""))
            ORDER BY l.platform, l.sku LIMIT \(limit)
            """, logger: logger)
        var listings: [Listing] = []
        for try await c in rows.decode((String, String, String, String?, Int64?, Int64?, Date?, Int64, String, String?, String?, Date).self) {
            listings.append(Listing(platform: c.0, sku: c.1, itemId: c.2, platformSkuId: c.3, available: c.4, sentQuantity: c.5, sentAt: c.6, pushes: c.7,
                                    status: c.8, lastErrorCode: c.9, lastError: c.10, updatedAt: c.11))
        }
        return listings
    }

    /// Claims up to `limit` due pushes, reading each SKU's latest level now.
    static func claimDue(limit: Int, leaseSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> [StockPush] {
        let rows = try await connection.query("""
            SELECT p.platform, p.sku, l.item_id, l.platform_sku_id, greatest(s.available, 0), s.version, p.attempts
            FROM stock_pushes p JOIN stock_listings l USING (platform, sku) JOIN stock_levels s ON s.sku = p.sku
            WHERE p.due_at <= now() AND (p.forced OR s.version > p.sent_version)
            ORDER BY p.due_at LIMIT \(limit) FOR UPDATE OF p SKIP LOCKED
            """, logger: logger)
        var pushes: [StockPush] = []
        for try await (platform, sku, item, platformSku, quantity, version, attempts) in rows.decode((String, String, String, String?, Int64, Int64, Int).self) {
            pushes.append(StockPush(platform: platform, sku: sku, itemId: item, platformSkuId: platformSku, quantity: Int(clamping: quantity), version: version, attempt: attempts + 1))
        }
        guard !pushes.isEmpty else { return [] }
        try await connection.query("""
            UPDATE stock_pushes p SET due_at = now() + make_interval(secs => \(leaseSeconds)::int), attempts = attempts + 1, updated_at = now()
            FROM unnest(\(pushes.map(\.platform))::text[], \(pushes.map(\.sku))::text[]) AS u(pl, s) WHERE p.platform = u.pl AND p.sku = u.s
            """, logger: logger)
        return pushes
    }

    /// What became of one push.
    enum Outcome: Sendable, Equatable {
        case sent(nextAfterMilliseconds: Int)
        case retry(afterMilliseconds: Int, code: String, message: String)
        case failed(code: String, message: String)
    }

    static func apply(_ outcome: Outcome, to push: StockPush, connection: PostgresConnection, logger: Logger) async throws {
        switch outcome {
        case .sent(let interval):
            try await connection.query("""
                UPDATE stock_pushes SET sent_quantity = \(Int64(push.quantity)), sent_version = greatest(sent_version, \(push.version)), sent_at = now(),
                       pushes = pushes + 1, forced = false, attempts = 0, status = 'ok', last_error_code = NULL, last_error = NULL,
                       due_at = now() + make_interval(secs => \(Double(interval) / 1_000)), updated_at = now()
                WHERE platform = \(push.platform) AND sku = \(push.sku)
                """, logger: logger)
        case .retry(let wait, let code, let message):
            try await connection.query("""
                UPDATE stock_pushes SET due_at = now() + make_interval(secs => \(Double(wait) / 1_000)), last_error_code = \(code), last_error = \(message), updated_at = now()
                WHERE platform = \(push.platform) AND sku = \(push.sku)
                """, logger: logger)
        case .failed(let code, let message):
            try await connection.query("""
                UPDATE stock_pushes SET status = 'failed', forced = false, attempts = 0, sent_version = greatest(sent_version, \(push.version)),
                       last_error_code = \(code), last_error = \(message), due_at = now(), updated_at = now()
                WHERE platform = \(push.platform) AND sku = \(push.sku)
                """, logger: logger)
        }
    }

    /// A full sync: every listing is due again with its latest known level.
    static func forceAll(connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("UPDATE stock_pushes SET forced = true, updated_at = now() WHERE NOT forced RETURNING sku", logger: logger)
        var count = 0
        for try await _ in rows.decode(String.self) { count += 1 }
        return count
    }

    /// Counts by push status, for metrics.
    static func counts(connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (status, count) in try await connection.query("SELECT status, count(*)::int8 FROM stock_pushes GROUP BY status", logger: logger)
            .decode((String, Int64).self) { counts[status] = Int(count) }
        return counts
    }
}
