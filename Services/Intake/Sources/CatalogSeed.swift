import OMSDomain

/// Intake's part of the demo catalog: the `DemoCatalog` products as catalog rows, and two demo
/// promotions. Deterministic, so the migration's checksum and the load generator's prices never drift.
public enum CatalogSeed {
    /// Demo promotions: "满300减30" on everything, and 10% off glassware.
    public static let promotions: [Promotion] = [
        Promotion(id: "DEMO-M300-30", name: "满300减30", kind: .spendThreshold(threshold: .fen(30_000), reduction: .fen(3_000), repeating: false, scope: .allItems), priority: 10),
        Promotion(id: "DEMO-GLASS-10", name: "玻璃器皿九折", kind: .percentageOff(percent: 10, scope: .categories(["glassware"])), priority: 20),
    ]

    /// Idempotent inserts of the products, their codes and the promotions.
    static var sql: String {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var statements: [String] = []
        let rows = DemoCatalog.products.map { p in
            "(\(quote(p.sku)), \(quote(p.name)), \(quote(p.category)), \(p.listPrice.minorUnits), \(p.memberPrice.map { String($0.minorUnits) } ?? "NULL"), \(p.weightGrams), \(p.volumeCubicCentimetres), \(p.handling.fragile), \(p.handling.liquid), \(p.handling.valuable), \(p.handling.perishable))"
        }
        statements.append("INSERT INTO products (sku, name, category, list_price_fen, member_price_fen, weight_grams, volume_cm3, fragile, liquid, valuable, perishable) VALUES\n"
                          + rows.joined(separator: ",\n") + "\nON CONFLICT (sku) DO NOTHING;")
        let codes = DemoCatalog.products.flatMap { p in
            p.barcodes.map { "('barcode', \(quote($0)), \(quote(p.sku)))" } + p.outerIDs.sorted { $0.key < $1.key }.map { "(\(quote("outer:" + $0.key)), \(quote($0.value)), \(quote(p.sku)))" }
        }
        statements.append("INSERT INTO product_codes (kind, code, sku) VALUES\n" + codes.joined(separator: ",\n") + "\nON CONFLICT DO NOTHING;")
        for promotion in promotions {
            let json = String(decoding: (try? EventCoding.encode(promotion)) ?? [], as: UTF8.self)
            statements.append("INSERT INTO promotions (id, definition) VALUES (\(quote(promotion.id)), \(quote(json))::jsonb) ON CONFLICT (id) DO NOTHING;")
        }
        return statements.joined(separator: "\n")
    }
}
