import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps the item master in step with the product master: applies `catalog.product-changed`
/// (name, barcodes, weight, volume, handling) so a product created once in the catalog packs here
/// without a second registration. Orders blocked at packing for that SKU pack on the wave
/// scheduler's next retry. Invariant: a SKU's row holds the newest catalog version seen; an older
/// or replayed version changes nothing; a barcode belongs to one SKU (the newest claim wins).
public struct ItemMasterHandler: EventHandler {
    public let eventTypes: Set<String> = [ProductChanged.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        // Each event is a full snapshot: the newest version of each SKU in the batch is the same
        // as applying them one by one.
        var newest: [String: ProductChanged] = [:]
        for event in events where event.type == ProductChanged.eventType {
            guard let product = try? event.decode(ProductChanged.self) else { throw HandlerRejection("undecodable catalog.product-changed") }
            if let problem = Self.problem(product) { throw HandlerRejection("catalog.product-changed \(problem)") }
            if product.version > newest[product.sku]?.version ?? Int64.min { newest[product.sku] = product }
        }
        guard !newest.isEmpty else { return }
        let products = newest.values.sorted { $0.sku < $1.sku }
        let connection = context.connection, logger = context.logger
        let applied = try await connection.query("""
            INSERT INTO items (sku, name, category, weight_grams, volume_cm3, fragile, liquid, valuable, perishable, active, catalog_version, updated_at)
            SELECT s, n, c, w, v, f, l, va, p, a, ver, now()
            FROM unnest(\(products.map(\.sku))::text[], \(products.map(\.name))::text[], \(products.map(\.category))::text[],
                        \(products.map { Int32($0.weightGrams) })::int4[], \(products.map { Int32($0.volumeCubicCentimetres) })::int4[],
                        \(products.map(\.handling.fragile))::bool[], \(products.map(\.handling.liquid))::bool[], \(products.map(\.handling.valuable))::bool[],
                        \(products.map(\.handling.perishable))::bool[], \(products.map(\.active))::bool[], \(products.map(\.version))::int8[])
                 AS u(s, n, c, w, v, f, l, va, p, a, ver)
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, weight_grams = excluded.weight_grams,
                volume_cm3 = excluded.volume_cm3, fragile = excluded.fragile, liquid = excluded.liquid, valuable = excluded.valuable,
                perishable = excluded.perishable, active = excluded.active, catalog_version = excluded.catalog_version, updated_at = now()
            WHERE items.catalog_version IS NULL OR items.catalog_version < excluded.catalog_version
            RETURNING sku
            """, logger: logger)
        var changed: [String] = []
        for try await sku in applied.decode(String.self) { changed.append(sku) }
        guard !changed.isEmpty else { return }
        let current = products.filter { changed.contains($0.sku) }
        // Two SKUs of one batch may both claim a barcode (on different partitions, one's release
        // not yet read): the newer change keeps it, as it will once both are read.
        var claims: [String: ProductChanged] = [:]
        for product in current {
            for barcode in product.barcodes where claims[barcode].map({ $0.changedAt < product.changedAt }) ?? true { claims[barcode] = product }
        }
        let barcodes = claims.map { ($0.value.sku, $0.key) }.sorted { $0.1 < $1.1 }
        try await connection.query("""
            DELETE FROM item_barcodes WHERE sku = ANY(\(changed)::text[]) AND NOT barcode = ANY(\(barcodes.map(\.1))::text[])
            """, logger: logger)
        if !barcodes.isEmpty {
            try await connection.query("""
                INSERT INTO item_barcodes (barcode, sku) SELECT b, s FROM unnest(\(barcodes.map(\.1))::text[], \(barcodes.map(\.0))::text[]) AS u(b, s)
                ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku
                """, logger: logger)
        }
        logger.info("item master updated from the product master", metadata: ["skus": "\(changed.prefix(10))", "count": "\(changed.count)"])
    }

    /// What makes a product unusable for packing, or nil.
    static func problem(_ product: ProductChanged) -> String? {
        if product.sku.isEmpty || product.sku.count > 64 { return "sku must be 1-64 characters" }
        if product.weightGrams <= 0 { return "weightGrams must be > 0" }
        if product.volumeCubicCentimetres <= 0 { return "volumeCubicCentimetres must be > 0" }
        if product.version <= 0 { return "version must be > 0" }
        return nil
    }
}
