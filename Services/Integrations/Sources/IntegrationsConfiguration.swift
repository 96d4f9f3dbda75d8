import Foundation
import OMSPlatform

/// Integrations' own settings, read from the environment (README "Configuration").
/// Invariant: every value is in its range; with the defaults a delivery is tried 8 times over
/// more than 4 hours before it fails.
public struct IntegrationsConfiguration: Sendable {
    /// `OMS_WEBHOOK_MAX_ATTEMPTS` (8), `OMS_WEBHOOK_RETRY_BASE_MILLISECONDS` (120000: the first
    /// wait; each later one doubles, plus up to 25 % jitter), `OMS_WEBHOOK_SUSPEND_AFTER` (5
    /// deliveries in a row failed suspend a subscription).
    public var retry: WebhookRetryPolicy
    /// `OMS_WEBHOOK_TIMEOUT_SECONDS` (5): one attempt's limit (connect, and each read).
    public var timeoutSeconds: Int
    /// `OMS_WEBHOOK_CONCURRENCY` (8): deliveries in flight per subscription (different orders).
    public var concurrency: Int
    /// `OMS_WEBHOOK_POLL_MILLISECONDS` (200): how often the dispatcher looks for due deliveries.
    public var pollMilliseconds: Int
    /// `OMS_WEBHOOK_SETTLE_MILLISECONDS` (1000): a delivery waits this long after it is recorded,
    /// so that an order's events produced moments apart on different topics (risk's verification
    /// and intake's receipt) are all recorded and go out in the order they happened.
    public var settleMilliseconds: Int
    /// `OMS_WEBHOOK_RETENTION_DAYS` (30): finished deliveries are kept this long.
    public var retentionDays: Int
    /// `OMS_MARKETPLACE_MAX_ATTEMPTS` (8) and `OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS` (60000):
    /// how ship-backs and stock pushes a platform refused for a transient reason are retried.
    public var marketplaceRetry: WebhookRetryPolicy
    /// `OMS_MARKETPLACE_POLL_MILLISECONDS` (500): how often ship-backs and stock pushes are looked for.
    public var marketplacePollMilliseconds: Int
    /// `OMS_STOCK_FEED_INTERVAL_MILLISECONDS` (5000): a SKU's quantity goes to a platform at most
    /// once per this interval (the latest value then).
    public var stockFeedIntervalMilliseconds: Int
    /// `OMS_STOCK_FULL_SYNC_SECONDS` (3600): every listed SKU's latest known quantity is sent
    /// again this often, whether it changed or not (a platform's count drifts by its own sales).
    public var stockFullSyncSeconds: Int
    /// The platforms' open-API settings (`OMS_TAOBAO_*`, `OMS_JD_*`, `OMS_MARKETPLACE_TIMEOUT_SECONDS`).
    var platforms: MarketplaceGateways.Configuration
    /// Customer notifications (`OMS_NOTIFY_*`, `OMS_SMS_*`, `OMS_SMTP_*`).
    var notifications: NotificationConfiguration

    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        retry = WebhookRetryPolicy(maxAttempts: try reader.integer("OMS_WEBHOOK_MAX_ATTEMPTS", 8, 1...50),
                                   baseMilliseconds: try reader.integer("OMS_WEBHOOK_RETRY_BASE_MILLISECONDS", 120_000, 10...86_400_000),
                                   suspendAfterFailedDeliveries: try reader.integer("OMS_WEBHOOK_SUSPEND_AFTER", 5, 1...100_000))
        timeoutSeconds = try reader.integer("OMS_WEBHOOK_TIMEOUT_SECONDS", 5, 1...60)
        concurrency = try reader.integer("OMS_WEBHOOK_CONCURRENCY", 8, 1...64)
        pollMilliseconds = try reader.integer("OMS_WEBHOOK_POLL_MILLISECONDS", 200, 10...60_000)
        settleMilliseconds = try reader.integer("OMS_WEBHOOK_SETTLE_MILLISECONDS", 1_000, 0...60_000)
        retentionDays = try reader.integer("OMS_WEBHOOK_RETENTION_DAYS", 30, 1...3_650)
        marketplaceRetry = WebhookRetryPolicy(maxAttempts: try reader.integer("OMS_MARKETPLACE_MAX_ATTEMPTS", 8, 1...50),
                                              baseMilliseconds: try reader.integer("OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS", 60_000, 10...86_400_000))
        marketplacePollMilliseconds = try reader.integer("OMS_MARKETPLACE_POLL_MILLISECONDS", 500, 10...60_000)
        stockFeedIntervalMilliseconds = try reader.integer("OMS_STOCK_FEED_INTERVAL_MILLISECONDS", 5_000, 10...3_600_000)
        stockFullSyncSeconds = try reader.integer("OMS_STOCK_FULL_SYNC_SECONDS", 3_600, 10...604_800)
        platforms = try MarketplaceGateways.Configuration(environment: environment)
        notifications = try NotificationConfiguration(environment: environment)
    }
}
