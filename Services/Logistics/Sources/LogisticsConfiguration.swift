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
    /// SF Express's e-waybill account (`OMS_SF_PARTNER_ID`, `OMS_SF_CHECKWORD`, `OMS_SF_MONTHLY_CARD`,
    /// `OMS_SF_GATEWAY_URL`): set, SF's waybill numbers come from its API; unset, from the local counter.
    var sfExpress: SFExpressWaybills.Configuration?
    /// `OMS_EWAYBILL_MAX_ATTEMPTS` (10), `OMS_EWAYBILL_RETRY_BASE_MILLISECONDS` (2000, doubling),
    /// `OMS_EWAYBILL_POLL_MILLISECONDS` (200): how bookings are retried and looked for.
    public var waybillMaxAttempts: Int
    public var waybillRetryBaseMilliseconds: Int
    public var waybillPollMilliseconds: Int
    /// `OMS_EWAYBILL_TIMEOUT_SECONDS` (10): one call to a carrier's e-waybill API.
    public var waybillTimeoutSeconds: Int
    /// `OMS_PICKUP_HOLD_SECONDS` (259200, three days): how long a pickup order (门店自提) waits at
    /// its store before it expires, goes back on the shelves and is refunded.
    public var pickupHoldSeconds: Int
    /// `OMS_PICKUP_CHECK_SECONDS` (60): how often expired pickups are looked for.
    public var pickupCheckSeconds: Int

    /// The e-waybill adapters by carrier company: the carriers whose numbers come from their API.
    var waybillCarriers: [String: any EWaybillCarrier] {
        var carriers: [String: any EWaybillCarrier] = [:]
        if let sfExpress { carriers["SF"] = SFExpressWaybills(configuration: sfExpress) }
        return carriers
    }

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
        sfExpress = try SFExpressWaybills.Configuration.from(environment)
        waybillMaxAttempts = try env.integer("OMS_EWAYBILL_MAX_ATTEMPTS", 10, 1...50)
        waybillRetryBaseMilliseconds = try env.integer("OMS_EWAYBILL_RETRY_BASE_MILLISECONDS", 2_000, 10...3_600_000)
        waybillPollMilliseconds = try env.integer("OMS_EWAYBILL_POLL_MILLISECONDS", 200, 10...60_000)
        waybillTimeoutSeconds = try env.integer("OMS_EWAYBILL_TIMEOUT_SECONDS", 10, 1...120)
        pickupHoldSeconds = try env.integer("OMS_PICKUP_HOLD_SECONDS", 259_200, 1...2_592_000)
        pickupCheckSeconds = try env.integer("OMS_PICKUP_CHECK_SECONDS", 60, 1...3_600)
    }
}
