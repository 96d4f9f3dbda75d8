import Foundation
import OMSPlatform

/// Fulfillment's own settings, read from the environment (README "Configuration"). They are the
/// defaults for warehouses without a `PUT /v1/fulfillment/warehouses/{code}` of their own.
/// Invariant: every value within the bounds the warehouse settings accept.
public struct FulfillmentConfiguration: Sendable {
    /// `OMS_FULFILLMENT_DEFAULT_MODE`: `manual` (default; staff scan picks and pack) or `automatic`
    /// (picks and packs complete at once, rules still applied: demos and benchmarks).
    public var defaultAutomatic: Bool
    /// `OMS_WAVE_MAX_ORDERS` (default 20): a wave is released as soon as this many orders wait.
    public var waveMaxOrders: Int
    /// `OMS_WAVE_WINDOW_SECONDS` (default 300): or when the oldest waiting order is this old.
    public var waveWindowSeconds: Int
    /// `OMS_WAVE_CHECK_SECONDS` (default 5): how often the time window is checked.
    public var waveCheckSeconds: Int
    /// `OMS_PROMOTION_CARD_MINIMUM_FEN` (default 20000): orders with goods worth at least this get a
    /// promotion card; 0 turns the card off.
    public var promotionCardMinimumFen: Int64
    /// `OMS_SEED_DEMO_CATALOG` (default true): load the demo catalog's items into the item master.
    public var seedDemoItems: Bool

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        switch environment["OMS_FULFILLMENT_DEFAULT_MODE"] ?? "manual" {
        case "manual": defaultAutomatic = false
        case "automatic": defaultAutomatic = true
        default: throw ConfigurationError(key: "OMS_FULFILLMENT_DEFAULT_MODE", reason: "must be manual or automatic")
        }
        waveMaxOrders = try env.integer("OMS_WAVE_MAX_ORDERS", 20, 1...500)
        waveWindowSeconds = try env.integer("OMS_WAVE_WINDOW_SECONDS", 300, 1...86_400)
        waveCheckSeconds = try env.integer("OMS_WAVE_CHECK_SECONDS", 5, 1...3_600)
        promotionCardMinimumFen = try env.fen("OMS_PROMOTION_CARD_MINIMUM_FEN", 20_000, 0...100_000_000)
        seedDemoItems = try env.bool("OMS_SEED_DEMO_CATALOG", true)
    }
}
