import Logging
import OMSPlatform
import PostgresNIO

/// How one warehouse works: automatic or manual picking, when pick waves are released, which
/// cartons it packs into and when a promotion card goes in. A warehouse nobody configured uses the
/// service defaults and the standard carton set. Invariant: `cartons` is never empty.
public struct WarehouseSettings: Codable, Hashable, Sendable {
    public var code: String
    public var automatic: Bool
    public var waveMaxOrders: Int
    public var waveWindowSeconds: Int
    /// Orders whose goods are worth at least this get a promotion card; nil or 0: never.
    public var promotionCardMinimumFen: Int64?
    public var cartons: [Carton]
    /// 合单: orders of the same customer to the same address that wait for a wave within this many
    /// seconds of each other ship in shared boxes; 0 (the default): never merged.
    public var mergeWindowSeconds: Int = 0
    /// False when these are the defaults of an unconfigured warehouse.
    public var configured: Bool

    static func defaults(_ code: String, _ configuration: FulfillmentConfiguration) -> WarehouseSettings {
        WarehouseSettings(code: code, automatic: configuration.defaultAutomatic, waveMaxOrders: configuration.waveMaxOrders,
                          waveWindowSeconds: configuration.waveWindowSeconds, promotionCardMinimumFen: configuration.promotionCardMinimumFen,
                          cartons: Carton.standardSet, configured: false)
    }

    /// The settings of `codes`, defaults filled in.
    static func load(_ codes: [String], defaults configuration: FulfillmentConfiguration, connection: PostgresConnection, logger: Logger) async throws -> [String: WarehouseSettings] {
        var result = Dictionary(uniqueKeysWithValues: Set(codes).map { ($0, defaults($0, configuration)) })
        guard !codes.isEmpty else { return result }
        let rows = try await connection.query("""
            SELECT code, automatic, wave_max_orders, wave_window_seconds, promotion_card_minimum_fen, merge_window_seconds
            FROM warehouse_settings WHERE code = ANY(\(Array(Set(codes)))::text[])
            """, logger: logger)
        for try await (code, automatic, maxOrders, window, card, merge) in rows.decode((String, Bool, Int, Int, Int64?, Int).self) {
            result[code]?.mergeWindowSeconds = merge
            result[code]?.automatic = automatic
            result[code]?.waveMaxOrders = maxOrders
            result[code]?.waveWindowSeconds = window
            result[code]?.promotionCardMinimumFen = card
            result[code]?.configured = true
        }
        let cartons = try await connection.query("""
            SELECT warehouse_code, code, length_mm, width_mm, height_mm, max_weight_grams, tare_grams FROM cartons
            WHERE warehouse_code = ANY(\(Array(Set(codes)))::text[]) ORDER BY warehouse_code, code
            """, logger: logger)
        var own: [String: [Carton]] = [:]
        for try await (warehouse, code, length, width, height, maxWeight, tare) in cartons.decode((String, String, Int, Int, Int, Int, Int).self) {
            own[warehouse, default: []].append(Carton(code: code, lengthMm: length, widthMm: width, heightMm: height, maxWeightGrams: maxWeight, tareGrams: tare))
        }
        for (warehouse, cartons) in own { result[warehouse]?.cartons = cartons }
        return result
    }
}
