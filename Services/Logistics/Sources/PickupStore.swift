import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of pickup orders waiting in stores (`pickups`). Invariant: one pickup per packed parcel
/// (parcel id unique), however often `fulfillment.packed` is delivered; every change of a pickup
/// runs on its locked row, so a collection and an expiry never both happen.
enum PickupStore {
    /// A pickup as store staff and customer service see it (never the code).
    struct View: Codable, Sendable {
        var shipmentId: String
        var pickupNumber: String
        var orderId: String
        var storeId: String
        var status: String
        var lines: [ParcelLine]
        var readyAt: Date
        var expiresAt: Date
        var failedAttempts: Int
        var collectedAt: Date?
        var collectedBy: String?
        var expiredAt: Date?
    }

    /// A new pickup for `parcel`, before it is stored.
    struct Ready: Sendable {
        var id: String
        var parcelID: String
        var orderID: String
        var storeCode: String
        var codeHash: String
        var lines: [ParcelLine]
    }

    /// Stores the pickups not stored before; returns them with their pickup numbers.
    static func ready(_ pickups: [Ready], at now: Date, expiresAt: Date, connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        guard !pickups.isEmpty else { return [:] }
        let lines = try pickups.map { String(decoding: try EventCoding.encode($0.lines), as: UTF8.self) }
        let rows = try await connection.query("""
            INSERT INTO pickups (id, parcel_id, order_id, store_code, pickup_number, code_hash, lines, status, ready_at, expires_at)
            SELECT i, p, o, s, 'ZT' || lpad(nextval('pickup_numbers')::text, 10, '0'), h, l::jsonb, 'ready', \(now), \(expiresAt)
            FROM unnest(\(pickups.map(\.id))::text[], \(pickups.map(\.parcelID))::text[], \(pickups.map(\.orderID))::text[], \(pickups.map(\.storeCode))::text[],
                        \(pickups.map(\.codeHash))::text[], \(lines)::text[]) WITH ORDINALITY AS u(i, p, o, s, h, l, n)
            ORDER BY n
            ON CONFLICT (parcel_id) DO NOTHING
            RETURNING id, pickup_number
            """, logger: logger)
        var numbers: [String: String] = [:]
        for try await (id, number) in rows.decode((String, String).self) { numbers[id] = number }
        return numbers
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [(View, String)] {
        var found: [(View, String)] = []
        for try await row in rows.decode((String, String, String, String, String, String, Date, Date, Int, Date?, String?, Date?, String).self) {
            found.append((View(shipmentId: row.0, pickupNumber: row.1, orderId: row.2, storeId: row.3, status: row.4,
                               lines: try EventCoding.decode([ParcelLine].self, from: Array(row.5.utf8)), readyAt: row.6, expiresAt: row.7,
                               failedAttempts: row.8, collectedAt: row.9, collectedBy: row.10, expiredAt: row.11), row.12))
        }
        return found
    }

    /// The pickup with this number, its row locked, and its code hash.
    static func locked(number: String, connection: PostgresConnection, logger: Logger) async throws -> (View, String)? {
        try await decode(try await connection.query("""
            SELECT id, pickup_number, order_id, store_code, status, lines::text, ready_at, expires_at, failed_attempts, collected_at, collected_by, expired_at, code_hash
            FROM pickups WHERE pickup_number = \(number) FOR UPDATE
            """, logger: logger)).first
    }

    /// A store's pickups, oldest first (`status` nil: any).
    static func list(store: String?, order: String?, status: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        try await decode(try await connection.query("""
            SELECT id, pickup_number, order_id, store_code, status, lines::text, ready_at, expires_at, failed_attempts, collected_at, collected_by, expired_at, code_hash
            FROM pickups WHERE (\(store)::text IS NULL OR store_code = \(store)) AND (\(order)::text IS NULL OR order_id = \(order))
              AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY ready_at, id LIMIT \(limit)
            """, logger: logger)).map(\.0)
    }

    static func markCollected(_ id: String, by user: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE pickups SET status = 'collected', collected_at = \(now), collected_by = \(user) WHERE id = \(id)", logger: logger)
    }

    static func recordFailedAttempt(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE pickups SET failed_attempts = failed_attempts + 1 WHERE id = \(id)", logger: logger)
    }

    /// Marks up to `limit` ready pickups past their time expired (claimed with SKIP LOCKED, so
    /// replicas never expire one twice) and returns them.
    static func expireDue(now: Date, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        let rows = try await connection.query("""
            UPDATE pickups SET status = 'expired', expired_at = \(now)
            WHERE id IN (SELECT id FROM pickups WHERE status = 'ready' AND expires_at <= \(now) ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, pickup_number, order_id, store_code, status, lines::text, ready_at, expires_at, failed_attempts, collected_at, collected_by, expired_at, code_hash
            """, logger: logger)
        return try await decode(rows).map(\.0)
    }
}
