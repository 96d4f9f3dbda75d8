import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// A catalog entry as pricing needs it.
public struct CatalogEntry: Sendable, Hashable {
    public var sku: String
    public var category: String
    public var listPrice: Money
    public var memberPrice: Money?

    public init(sku: String, category: String, listPrice: Money, memberPrice: Money?) {
        self.sku = sku
        self.category = category
        self.listPrice = listPrice
        self.memberPrice = memberPrice
    }
}

/// A promotion with the window it runs in.
public struct ScheduledPromotion: Sendable {
    public var promotion: Promotion
    public var startsAt: Date?
    public var endsAt: Date?

    public init(promotion: Promotion, startsAt: Date?, endsAt: Date?) {
        self.promotion = promotion
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    public func isRunning(at instant: Date) -> Bool {
        (startsAt.map { $0 <= instant } ?? true) && (endsAt.map { instant < $0 } ?? true)
    }
}

/// A coupon with its expiry.
public struct IssuedCoupon: Sendable {
    public var coupon: Coupon
    public var expiresAt: Date?

    public init(coupon: Coupon, expiresAt: Date?) {
        self.coupon = coupon
        self.expiresAt = expiresAt
    }
}

/// Reads and writes the intake catalog (products and their codes, promotions, coupons).
/// Invariant: every read used for pricing happens inside the worker's transaction.
public enum CatalogStore {
    /// Resolves the SKU references of many drafts in one query; unknown or inactive ones are absent.
    public static func resolve(_ references: Set<ReferenceKey>, on connection: PostgresConnection, logger: Logger) async throws -> [ReferenceKey: CatalogEntry] {
        guard !references.isEmpty else { return [:] }
        let list = Array(references)
        let rows = try await connection.query("""
            SELECT r.kind, r.code, p.sku, p.category, p.list_price_fen, p.member_price_fen
            FROM unnest(\(list.map(\.kind))::text[], \(list.map(\.code))::text[]) AS r(kind, code)
            LEFT JOIN product_codes c ON c.kind = r.kind AND c.code = r.code
            JOIN products p ON p.sku = CASE WHEN r.kind = 'sku' THEN r.code ELSE c.sku END
            WHERE p.active
            """, logger: logger)
        var resolved: [ReferenceKey: CatalogEntry] = [:]
        for try await (kind, code, sku, category, list, member) in rows.decode((String, String, String, String, Int64, Int64?).self) {
            resolved[ReferenceKey(kind: kind, code: code)] = CatalogEntry(sku: sku, category: category, listPrice: .fen(list), memberPrice: member.map { .fen($0) })
        }
        return resolved
    }

    /// Which of `skus` inventory last reported sold out everywhere.
    public static func soldOut(_ skus: Set<String>, on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        guard !skus.isEmpty else { return [] }
        let rows = try await connection.query("SELECT sku FROM sku_availability WHERE sold_out AND sku = ANY(\(Array(skus))::text[])", logger: logger)
        var found = Set<String>()
        for try await sku in rows.decode(String.self) { found.insert(sku) }
        return found
    }

    public static func activePromotions(on connection: PostgresConnection, logger: Logger) async throws -> [ScheduledPromotion] {
        let rows = try await connection.query("SELECT definition::text, starts_at, ends_at FROM promotions WHERE active ORDER BY id", logger: logger)
        var result: [ScheduledPromotion] = []
        for try await (json, starts, ends) in rows.decode((String, Date?, Date?).self) {
            // A definition this release cannot read is skipped and reported, never half-applied.
            guard let promotion = try? EventCoding.decode(Promotion.self, from: Array(json.utf8)) else {
                logger.error("unreadable promotion definition skipped")
                continue
            }
            result.append(ScheduledPromotion(promotion: promotion, startsAt: starts, endsAt: ends))
        }
        return result
    }

    public static func coupons(_ codes: Set<String>, on connection: PostgresConnection, logger: Logger) async throws -> [String: IssuedCoupon] {
        guard !codes.isEmpty else { return [:] }
        let rows = try await connection.query("SELECT code, definition::text, expires_at FROM coupons WHERE code = ANY(\(Array(codes))::text[])", logger: logger)
        var result: [String: IssuedCoupon] = [:]
        for try await (code, json, expires) in rows.decode((String, String, Date?).self) {
            guard let coupon = try? EventCoding.decode(Coupon.self, from: Array(json.utf8)) else { continue }
            result[code] = IssuedCoupon(coupon: coupon, expiresAt: expires)
        }
        return result
    }

    /// Redeems coupons for orders; returns the ids of the orders that now own their coupon. An
    /// order whose code went to another order (earlier, in a transaction that won the race, or
    /// earlier in the same batch) is absent from the result.
    public static func redeem(_ redemptions: [(code: String, orderID: String)], on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        guard !redemptions.isEmpty else { return [] }
        try await connection.query("""
            INSERT INTO coupon_redemptions (code, order_id)
            SELECT * FROM unnest(\(redemptions.map(\.code))::text[], \(redemptions.map(\.orderID))::text[])
            ON CONFLICT (code) DO NOTHING
            """, logger: logger)
        let rows = try await connection.query("SELECT code, order_id FROM coupon_redemptions WHERE code = ANY(\(redemptions.map(\.code))::text[])", logger: logger)
        var owners: [String: String] = [:]
        for try await (code, order) in rows.decode((String, String).self) { owners[code] = order }
        return Set(redemptions.filter { owners[$0.code] == $0.orderID }.map(\.orderID))
    }

    /// A cancelled order gives its coupon back: the redemption is removed (the code can be
    /// redeemed again) and remembered as a release.
    public static func releaseCoupons(of orderID: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            WITH released AS (DELETE FROM coupon_redemptions WHERE order_id = \(orderID) RETURNING order_id, code)
            INSERT INTO coupon_releases (order_id, code) SELECT order_id, code FROM released ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// The cancellation of these orders was undone (they ship after all): each takes its released
    /// coupon back. Returns the codes another order redeemed in between, by order id; those were
    /// used twice. Settling is idempotent: a release is settled once.
    public static func restoreCoupons(of orderIDs: [String], on connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        guard !orderIDs.isEmpty else { return [:] }
        try await connection.query("""
            INSERT INTO coupon_redemptions (code, order_id)
            SELECT code, order_id FROM coupon_releases WHERE order_id = ANY(\(orderIDs)::text[]) AND outcome IS NULL
            ON CONFLICT (code) DO NOTHING
            """, logger: logger)
        let rows = try await connection.query("""
            UPDATE coupon_releases r
            SET outcome = CASE WHEN EXISTS (SELECT 1 FROM coupon_redemptions c WHERE c.code = r.code AND c.order_id = r.order_id) THEN 'restored' ELSE 'taken' END,
                settled_at = now()
            WHERE r.order_id = ANY(\(orderIDs)::text[]) AND r.outcome IS NULL
            RETURNING r.order_id, r.code, r.outcome
            """, logger: logger)
        var taken: [String: String] = [:]
        for try await (order, code, outcome) in rows.decode((String, String, String).self) where outcome == "taken" { taken[order] = code }
        return taken
    }
}

/// How a draft line names a product, as a catalog lookup key.
public struct ReferenceKey: Hashable, Sendable {
    public var kind: String
    public var code: String

    public init(kind: String, code: String) {
        self.kind = kind
        self.code = code
    }

    public init(_ reference: OrderDraft.SKUReference, channel: OMSDomain.Channel) {
        switch reference {
        case .sku(let sku): self.init(kind: "sku", code: sku)
        case .barcode(let code): self.init(kind: "barcode", code: code)
        case .outerID(let code): self.init(kind: "outer:\(channel.rawValue)", code: code)
        }
    }
}
