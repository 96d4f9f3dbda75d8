import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of warehouse set-up: wave settings and cartons, the item master with its barcodes, bin
/// locations. Invariant: a barcode belongs to one SKU; a warehouse's carton set is replaced whole.
enum FulfillmentSetupStore {
    /// Saves a warehouse's settings; `cartons` (when given) replace its carton set.
    static func saveWarehouse(_ code: String, automatic: Bool, waveMaxOrders: Int, waveWindowSeconds: Int, mergeWindowSeconds: Int = 0, promotionCardMinimumFen: Int64,
                              cartons: [Carton]?, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO warehouse_settings (code, automatic, wave_max_orders, wave_window_seconds, promotion_card_minimum_fen, merge_window_seconds)
            VALUES (\(code), \(automatic), \(waveMaxOrders), \(waveWindowSeconds), \(promotionCardMinimumFen), \(mergeWindowSeconds))
            ON CONFLICT (code) DO UPDATE SET automatic = excluded.automatic, wave_max_orders = excluded.wave_max_orders,
                wave_window_seconds = excluded.wave_window_seconds, promotion_card_minimum_fen = excluded.promotion_card_minimum_fen,
                merge_window_seconds = excluded.merge_window_seconds, updated_at = now()
            """, logger: logger)
        guard let cartons else { return }
        try await connection.query("DELETE FROM cartons WHERE warehouse_code = \(code)", logger: logger)
        for carton in cartons {
            try await connection.query("""
                INSERT INTO cartons (warehouse_code, code, length_mm, width_mm, height_mm, max_weight_grams, tare_grams)
                VALUES (\(code), \(carton.code), \(carton.lengthMm), \(carton.widthMm), \(carton.heightMm), \(carton.maxWeightGrams), \(carton.tareGrams))
                """, logger: logger)
        }
    }

    /// Which of `barcodes` already belong to another SKU than `sku`.
    static func barcodesOfOtherItems(_ barcodes: [String], than sku: String, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let owners = try await connection.query("SELECT barcode FROM item_barcodes WHERE barcode = ANY(\(barcodes)::text[]) AND sku <> \(sku)", logger: logger)
        var taken: [String] = []
        for try await code in owners.decode(String.self) { taken.append(code) }
        return taken
    }

    /// Creates or replaces an item and its barcodes.
    static func saveItem(_ item: ItemRecord, connection: PostgresConnection, logger: Logger) async throws {
        let handling = item.handling
        try await connection.query("""
            INSERT INTO items (sku, name, weight_grams, volume_cm3, fragile, liquid, valuable, perishable)
            VALUES (\(item.sku), \(item.name), \(item.weightGrams), \(item.volumeCm3), \(handling.fragile), \(handling.liquid), \(handling.valuable), \(handling.perishable))
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, weight_grams = excluded.weight_grams, volume_cm3 = excluded.volume_cm3,
                fragile = excluded.fragile, liquid = excluded.liquid, valuable = excluded.valuable, perishable = excluded.perishable, updated_at = now()
            """, logger: logger)
        try await connection.query("DELETE FROM item_barcodes WHERE sku = \(item.sku)", logger: logger)
        try await connection.query("""
            INSERT INTO item_barcodes (barcode, sku) SELECT DISTINCT b, \(item.sku) FROM unnest(\(item.barcodes)::text[]) AS u(b)
            """, logger: logger)
    }

    /// Slots SKUs in a warehouse (a SKU already slotted moves).
    static func saveLocations(_ code: String, _ slots: [FulfillmentSetupRoutes.SlotRequest.Slot], client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO bin_locations (warehouse_code, sku, zone, aisle, bin)
            SELECT \(code), s, z, a, b FROM unnest(\(slots.map(\.sku))::text[], \(slots.map(\.zone))::text[], \(slots.map { Int32($0.aisle) })::int4[],
                                                   \(slots.map { Int32($0.bin) })::int4[]) AS u(s, z, a, b)
            ON CONFLICT (warehouse_code, sku) DO UPDATE SET zone = excluded.zone, aisle = excluded.aisle, bin = excluded.bin
            """, logger: logger)
    }
}
