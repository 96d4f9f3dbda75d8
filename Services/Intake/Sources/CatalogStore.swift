import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// A catalog entry as pricing needs it.
public struct CatalogEntry: Sendable, Hashable {
    public var sku: String
    public var category: String
    public var listPrice: Money
    public var memberPrice: Money?
    /// Set while the product is sold on presale (a deposit now, the balance later).
    public var presale: PresaleTerms?
    /// VAT rate in basis points (1300 = 13 %), stamped on the order line.
    public var taxRateBasisPoints: Int

    public init(sku: String, category: String, listPrice: Money, memberPrice: Money?, presale: PresaleTerms? = nil, taxRateBasisPoints: Int = 1300) {
        self.sku = sku
        self.category = category
        self.listPrice = listPrice
        self.memberPrice = memberPrice
        self.presale = presale
        self.taxRateBasisPoints = taxRateBasisPoints
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
            SELECT r.kind, r.code, p.sku, p.category, p.list_price_fen, p.member_price_fen, p.presale_deposit_fen, p.presale_balance_due_at, p.tax_rate_bp
            FROM unnest(\(list.map(\.kind))::text[], \(list.map(\.code))::text[]) AS r(kind, code)
            LEFT JOIN product_codes c ON c.kind = r.kind AND c.code = r.code
            JOIN products p ON p.sku = CASE WHEN r.kind = 'sku' THEN r.code ELSE c.sku END
            WHERE p.active
            """, logger: logger)
        var resolved: [ReferenceKey: CatalogEntry] = [:]
        for try await (kind, code, sku, category, list, member, deposit, balanceDue, taxRate) in rows.decode((String, String, String, String, Int64, Int64?, Int64?, Date?, Int).self) {
            let presale = deposit.flatMap { deposit in balanceDue.map { PresaleTerms(depositFen: deposit, balanceDueAt: $0) } }
            resolved[ReferenceKey(kind: kind, code: code)] = CatalogEntry(sku: sku, category: category, listPrice: .fen(list), memberPrice: member.map { .fen($0) }, presale: presale,
                                                                          taxRateBasisPoints: taxRate)
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

    /// Creates or replaces a product and its barcodes and channel ids, in the caller's
    /// transaction. A code another SKU holds is refused (409 `code_in_use`); the caller's
    /// transaction then rolls the product row back with it.
    /// Creates or replaces the product and its codes; returns its new version (one more than the
    /// last: the row lock of the upsert orders concurrent changes of one SKU).
    @discardableResult
    static func saveProduct(sku: String, _ p: CatalogAdminRoutes.ProductUpsert, codes: [(kind: String, code: String)], connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let h = p.handling ?? HandlingAttributes()
        let saved = try await connection.query("""
            INSERT INTO products (sku, name, category, list_price_fen, member_price_fen, weight_grams, volume_cm3, fragile, liquid, valuable, perishable, active, updated_at, version,
                                  presale_deposit_fen, presale_balance_due_at, tax_rate_bp)
            VALUES (\(sku), \(p.name), \(p.category), \(p.listPriceFen), \(p.memberPriceFen), \(p.weightGrams), \(p.volumeCm3),
                    \(h.fragile), \(h.liquid), \(h.valuable), \(h.perishable), \(p.active ?? true), now(), 1, \(p.presale?.depositFen), \(p.presale?.balanceDueAt),
                    \(p.taxRateBasisPoints ?? 1300))
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, list_price_fen = excluded.list_price_fen,
                member_price_fen = excluded.member_price_fen, weight_grams = excluded.weight_grams, volume_cm3 = excluded.volume_cm3,
                fragile = excluded.fragile, liquid = excluded.liquid, valuable = excluded.valuable, perishable = excluded.perishable,
                active = excluded.active, updated_at = now(), version = products.version + 1,
                presale_deposit_fen = excluded.presale_deposit_fen, presale_balance_due_at = excluded.presale_balance_due_at,
                tax_rate_bp = excluded.tax_rate_bp
            RETURNING version
            """, logger: logger)
        var version: Int64 = 1
        for try await saved in saved.decode(Int64.self) { version = saved }
        // A barcode or outer id belongs to one SKU: refuse to steal it from another.
        let taken = try await connection.query("""
            SELECT c.kind FROM unnest(\(codes.map(\.kind))::text[], \(codes.map(\.code))::text[]) AS n(kind, code)
            JOIN product_codes c ON c.kind = n.kind AND c.code = n.code WHERE c.sku <> \(sku) LIMIT 1
            """, logger: logger)
        for try await kind in taken.decode(String.self) {
            throw APIError(.conflict, code: "code_in_use", message: "a \(kind == "barcode" ? "barcode" : "channel SKU id") is already assigned to another SKU")
        }
        try await connection.query("DELETE FROM product_codes WHERE sku = \(sku)", logger: logger)
        try await connection.query("""
            INSERT INTO product_codes (kind, code, sku) SELECT k, c, \(sku) FROM unnest(\(codes.map(\.kind))::text[], \(codes.map(\.code))::text[]) AS n(k, c)
            """, logger: logger)
        return version
    }

    /// Products to publish again, in SKU order after `cursor` (at most `limit`; only `skus` when
    /// given): each gets a new version, so every copy applies it, and is returned as its event.
    static func republish(after cursor: String, skus: [String]?, limit: Int, now: Date, connection: PostgresConnection, logger: Logger) async throws -> [ProductChanged] {
        let rows = try await connection.query("""
            UPDATE products p SET version = p.version + 1, updated_at = now()
            FROM (SELECT sku FROM products WHERE sku > \(cursor) AND (\(skus == nil) OR sku = ANY(\(skus ?? [])::text[])) ORDER BY sku LIMIT \(limit)) AS chosen
            WHERE p.sku = chosen.sku
            RETURNING p.sku, p.name, p.category, p.weight_grams, p.volume_cm3, p.fragile, p.liquid, p.valuable, p.perishable, p.active, p.version,
                      COALESCE((SELECT array_agg(c.code ORDER BY c.code) FROM product_codes c WHERE c.sku = p.sku AND c.kind = 'barcode'), '{}')
            """, logger: logger)
        var products: [ProductChanged] = []
        for try await (sku, name, category, grams, volume, fragile, liquid, valuable, perishable, active, version, barcodes)
            in rows.decode((String, String, String, Int, Int, Bool, Bool, Bool, Bool, Bool, Int64, [String]).self) {
            products.append(ProductChanged(sku: sku, name: name, category: category, barcodes: barcodes, weightGrams: grams, volumeCubicCentimetres: volume,
                                           handling: HandlingAttributes(fragile: fragile, liquid: liquid, valuable: valuable, perishable: perishable),
                                           active: active, version: version, changedAt: now))
        }
        return products.sorted { $0.sku < $1.sku }
    }

    /// A product as the admin API shows it (with its codes), or nil.
    static func product(sku: String, connection: PostgresConnection, logger: Logger) async throws -> CatalogAdminRoutes.ProductUpsert? {
        let rows = try await connection.query("""
            SELECT name, category, list_price_fen, member_price_fen, weight_grams, volume_cm3, fragile, liquid, valuable, perishable, active,
                   presale_deposit_fen, presale_balance_due_at, tax_rate_bp
            FROM products WHERE sku = \(sku)
            """, logger: logger)
        var found: CatalogAdminRoutes.ProductUpsert?
        for try await (name, category, list, member, grams, volume, fragile, liquid, valuable, perishable, active, deposit, balanceDue, taxRate)
            in rows.decode((String, String, Int64, Int64?, Int, Int, Bool, Bool, Bool, Bool, Bool, Int64?, Date?, Int).self) {
            found = CatalogAdminRoutes.ProductUpsert(name: name, category: category, barcodes: [], outerIds: [:], listPriceFen: list, memberPriceFen: member, weightGrams: grams,
                                                     volumeCm3: volume, handling: HandlingAttributes(fragile: fragile, liquid: liquid, valuable: valuable, perishable: perishable),
                                                     active: active, presale: deposit.flatMap { deposit in balanceDue.map { PresaleTerms(depositFen: deposit, balanceDueAt: $0) } },
                                                     taxRateBasisPoints: taxRate)
        }
        guard var product = found else { return nil }
        let codes = try await connection.query("SELECT kind, code FROM product_codes WHERE sku = \(sku) ORDER BY kind, code", logger: logger)
        for try await (kind, code) in codes.decode((String, String).self) {
            if kind == "barcode" { product.barcodes?.append(code) } else { product.outerIds?[String(kind.dropFirst("outer:".count))] = code }
        }
        return product
    }

    /// Creates or replaces a promotion.
    static func savePromotion(_ promotion: Promotion, active: Bool, startsAt: Date?, endsAt: Date?, connection: PostgresConnection, logger: Logger) async throws {
        let json = String(decoding: try EventCoding.encode(promotion), as: UTF8.self)
        try await connection.query("""
            INSERT INTO promotions (id, definition, active, starts_at, ends_at, updated_at) VALUES (\(promotion.id), \(json)::jsonb, \(active), \(startsAt), \(endsAt), now())
            ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, active = excluded.active, starts_at = excluded.starts_at,
                ends_at = excluded.ends_at, updated_at = now()
            """, logger: logger)
    }

    /// Issues coupons (`definitions` are their JSON, by position); existing codes are left as they
    /// are. Returns how many were new.
    static func issueCoupons(_ codes: [String], definitions: [String], expiresAt: Date?, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            INSERT INTO coupons (code, definition, expires_at)
            SELECT code, d::jsonb, \(expiresAt) FROM unnest(\(codes)::text[], \(definitions)::text[]) AS u(code, d)
            ON CONFLICT (code) DO NOTHING RETURNING code
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(String.self) { count += 1 }
        return count
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
