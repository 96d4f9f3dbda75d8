import Foundation
import OMSPlatform

/// Insights' own settings, read from the environment (README "Configuration").
/// Invariant: `generation >= 1`; thresholds are positive.
public struct InsightsConfiguration: Sendable {
    /// `OMS_INSIGHTS_GENERATION` (default 1). A rebuild runs a new generation into a new schema
    /// (`OMS_DATABASE_SCHEMA`): its consumer group (`oms.insights.events-g<N>`) is new, so it reads
    /// every topic from the earliest offset while the old generation keeps serving.
    public var generation: Int
    /// `OMS_RFM_NEW_DAYS` (30), `OMS_RFM_FREQUENT_ORDERS` (3), `OMS_RFM_SILENCE_DAYS` (90).
    var segmentation: CustomerSegmentation.Policy

    public init(environment: [String: String]) throws {
        func positive(_ key: String, _ fallback: Int) throws -> Int {
            guard let text = environment[key] else { return fallback }
            guard let value = Int(text), value >= 1, value <= 100_000 else { throw ConfigurationError(key: key, reason: "must be an integer 1-100000") }
            return value
        }
        generation = try positive("OMS_INSIGHTS_GENERATION", 1)
        segmentation = CustomerSegmentation.Policy(newWithinDays: try positive("OMS_RFM_NEW_DAYS", 30), frequentOrders: try positive("OMS_RFM_FREQUENT_ORDERS", 3),
                                                   silenceDays: try positive("OMS_RFM_SILENCE_DAYS", 90))
    }

    /// The consumer group suffix of this generation: `events` for the first, `events-g<N>` after.
    var groupSuffix: String { generation == 1 ? "events" : "events-g\(generation)" }
}
