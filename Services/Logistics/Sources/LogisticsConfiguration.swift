import Foundation
import OMSPlatform

/// Logistics' own settings, read from the environment (README "Configuration").
/// Invariant: carrier secrets are never logged or returned.
public struct LogisticsConfiguration: Sendable {
    /// `OMS_CARRIER_SECRETS`: `SF=secret,ZTO=secret,...`, the HMAC key each carrier signs its
    /// tracking webhooks with. A carrier without a secret cannot post tracking events (401).
    public var carrierSecrets: [String: String]
    /// `OMS_DELAY_NO_SCAN_SECONDS` (default 86400): a shipment with no scan for this long is delayed.
    public var noScanSeconds: Int
    /// `OMS_DELAY_CHECK_SECONDS` (default 60): how often delays are looked for.
    public var delayCheckSeconds: Int
    /// `OMS_SEED_DEMO_CATALOG` (default true): load the demo carriers (SF, JD, YTO, ZTO, Dada).
    public var seedDemoCarriers: Bool

    public init(environment: [String: String]) throws {
        var secrets: [String: String] = [:]
        for pair in (environment["OMS_CARRIER_SECRETS"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 16 else {
                throw ConfigurationError(key: "OMS_CARRIER_SECRETS", reason: "must be CODE=secret pairs separated by commas, secrets of at least 16 characters")
            }
            secrets[parts[0]] = parts[1]
        }
        carrierSecrets = secrets
        let env = EnvironmentReader(environment)
        noScanSeconds = try env.integer("OMS_DELAY_NO_SCAN_SECONDS", 86_400, 1...2_592_000)
        delayCheckSeconds = try env.integer("OMS_DELAY_CHECK_SECONDS", 60, 1...3_600)
        seedDemoCarriers = try env.bool("OMS_SEED_DEMO_CATALOG", true)
    }
}
