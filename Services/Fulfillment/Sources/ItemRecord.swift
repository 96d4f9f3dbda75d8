import Logging
import OMSDomain
import PostgresNIO

/// A SKU in the warehouse item master: how it scans, what it weighs, how big it is and how it is
/// handled. Invariant: weight and volume > 0; a barcode belongs to one SKU.
public struct ItemRecord: Codable, Hashable, Sendable {
    public var sku: String
    public var name: String
    public var barcodes: [String]
    public var weightGrams: Int
    public var volumeCm3: Int
    public var handling: HandlingAttributes

    /// The items of `skus` that the master knows.
    static func load(_ skus: some Collection<String>, connection: PostgresConnection, logger: Logger) async throws -> [String: ItemRecord] {
        guard !skus.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT i.sku, i.name, i.weight_grams, i.volume_cm3, i.fragile, i.liquid, i.valuable, i.perishable,
                   COALESCE((SELECT array_agg(b.barcode ORDER BY b.barcode) FROM item_barcodes b WHERE b.sku = i.sku), '{}')
            FROM items i WHERE i.sku = ANY(\(Array(Set(skus)))::text[])
            """, logger: logger)
        var items: [String: ItemRecord] = [:]
        for try await (sku, name, weight, volume, fragile, liquid, valuable, perishable, barcodes) in rows.decode((String, String, Int, Int, Bool, Bool, Bool, Bool, [String]).self) {
            items[sku] = ItemRecord(sku: sku, name: name, barcodes: barcodes, weightGrams: weight, volumeCm3: volume,
                                    handling: HandlingAttributes(fragile: fragile, liquid: liquid, valuable: valuable, perishable: perishable))
        }
        return items
    }
}
