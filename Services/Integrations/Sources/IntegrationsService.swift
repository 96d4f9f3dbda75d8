import Hummingbird
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// The integrations service (issue 25): tells the outside world what happened to orders. It
/// consumes every business topic, records what each webhook subscription wants in its own
/// `integrations` schema and delivers it (signed, at least once, one order's events in order).
/// Invariant: it never changes another service's state and emits no business events; everything
/// it sends is derived from events, so a replay re-creates nothing twice (the inbox and the
/// (subscription, event) key dedup).
public struct IntegrationsService: OMSService {
    public static let serviceName = ServiceName.integrations
    public let configuration: IntegrationsConfiguration

    public init(configuration: IntegrationsConfiguration) {
        self.configuration = configuration
    }

    public var migrations: [Migration] { IntegrationsServiceMigrations.all }

    public var handlers: [any EventHandler] {
        let notify = configuration.notifications
        let planner = NotificationPlanner(shopName: notify.shopName, language: notify.language, returnDays: notify.returnDays)
        return [IntegrationsEventHandler(parts: [WebhookFanoutHandler(), MarketplaceEventHandler(),
                                                 NotificationEventHandler(planner: planner, hasher: notify.hasher, settleMilliseconds: notify.settleMilliseconds,
                                                                          media: notify.media),
                                                 SupplierOrderHandler()])]
    }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [WebhookRoutes(runtime: runtime), MarketplaceRoutes(runtime: runtime), NotificationRoutes(runtime: runtime, hasher: configuration.notifications.hasher),
         SupplierOrderRoutes(runtime: runtime)]
    }

    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] {
        let retention = configuration.retentionDays, settings = configuration
        let gateways = MarketplaceGateways(configuration: configuration.platforms)
        let notify = configuration.notifications
        for medium in NotificationMedium.allCases where !notify.media.contains(medium) {
            runtime.logger.notice("no provider for customer \(medium.rawValue): none is planned (\(medium == .sms ? "OMS_SMS_ACCESS_KEY_ID" : "OMS_SMTP_HOST") is not set)")
        }
        var senders: [any Service] = []
        if let sms = notify.sms { senders.append(NotificationSender(runtime: runtime, medium: .sms, settings: notify, sms: AliyunSMSGateway(configuration: sms), mailer: nil).job()) }
        if let mailer = notify.mailer { senders.append(NotificationSender(runtime: runtime, medium: .email, settings: notify, sms: nil, mailer: mailer).job()) }
        // Purchase orders go to suppliers through the same mail server (retried until it is configured).
        senders.append(SupplierOrderSender(runtime: runtime, settings: notify, mailer: notify.mailer).job())
        return senders + [
            PeriodicJob(name: "notification-retention", every: .seconds(3_600), runtime: runtime) {
                let (deleted, forgotten) = try await runtime.retryingTransaction { tx in
                    (try await NotificationStore.prune(olderThanDays: notify.retentionDays, connection: tx.connection, logger: tx.logger),
                     try await NotificationStore.pruneWaiting(olderThanDays: max(1, notify.contactWaitSeconds / 86_400), connection: tx.connection, logger: tx.logger))
                }
                if forgotten > 0 { runtime.logger.info("events of orders never received forgotten by notifications", metadata: ["count": "\(forgotten)"]) }
                if deleted > 0 { runtime.logger.info("old notifications deleted", metadata: ["count": "\(deleted)", "retentionDays": "\(notify.retentionDays)"]) }
            },
            WebhookDispatcher(runtime: runtime, settings: configuration),
            ShipBackSender(runtime: runtime, gateways: gateways, policy: settings.marketplaceRetry, pollMilliseconds: settings.marketplacePollMilliseconds,
                           leaseSeconds: 3 * settings.platforms.timeoutSeconds + 10).job(),
            StockFeedSender(runtime: runtime, gateways: gateways, policy: settings.marketplaceRetry, pollMilliseconds: settings.marketplacePollMilliseconds,
                            intervalMilliseconds: settings.stockFeedIntervalMilliseconds).job(),
            PeriodicJob(name: "stock-feed-full-sync", every: .seconds(settings.stockFullSyncSeconds), runtime: runtime) {
                let count = try await runtime.retryingTransaction { tx in try await StockFeedStore.forceAll(connection: tx.connection, logger: tx.logger) }
                if count > 0 { runtime.logger.info("stock feed full sync", metadata: ["listings": "\(count)"]) }
            },
            PeriodicJob(name: "webhook-retention", every: .seconds(3_600), runtime: runtime) {
                let (deleted, forgotten) = try await runtime.retryingTransaction { tx in
                    (try await DeliveryStore.prune(olderThanDays: retention, connection: tx.connection, logger: tx.logger),
                     try await ShipBackStore.pruneWaiting(olderThanDays: retention, connection: tx.connection, logger: tx.logger))
                }
                if deleted > 0 { runtime.logger.info("old webhook deliveries deleted", metadata: ["count": "\(deleted)", "retentionDays": "\(retention)"]) }
                if forgotten > 0 { runtime.logger.warning("parcels whose marketplace order never arrived forgotten", metadata: ["count": "\(forgotten)", "retentionDays": "\(retention)"]) }
            },
        ]
    }

    /// `oms_integrations_webhook_backlog{subscription}` (pending deliveries),
    /// `oms_integrations_webhook_oldest_pending_seconds{subscription}`, and
    /// `oms_integrations_webhook_subscriptions{status}`, `oms_integrations_shipbacks{status}` and
    /// `oms_integrations_stock_listings{status}`, `oms_integrations_notifications{status}` (pending, failed).
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let logger = runtime.logger
        let (backlog, subscriptions) = try await runtime.database.client.withConnection { connection in
            (try await DeliveryStore.backlog(connection: connection, logger: logger), try await SubscriptionStore.all(connection: connection, logger: logger))
        }
        for entry in backlog {
            runtime.metrics.set("oms_integrations_webhook_backlog", [("subscription", entry.subscriptionId)], to: Double(entry.pending))
            runtime.metrics.set("oms_integrations_webhook_oldest_pending_seconds", [("subscription", entry.subscriptionId)], to: Double(entry.oldestPendingSeconds))
        }
        let (shipBacks, pushes) = try await runtime.database.client.withConnection { connection in
            (try await ShipBackStore.counts(connection: connection, logger: logger), try await StockFeedStore.counts(connection: connection, logger: logger))
        }
        for status in ShipBackStore.statuses {
            runtime.metrics.set("oms_integrations_shipbacks", [("status", status)], to: Double(shipBacks[status] ?? 0))
        }
        for status in ["ok", "failed"] {
            runtime.metrics.set("oms_integrations_stock_listings", [("status", status)], to: Double(pushes[status] ?? 0))
        }
        let notifications = try await runtime.database.client.withConnection { try await NotificationStore.openCounts(connection: $0, logger: logger) }
        for status in ["pending", "failed"] {
            runtime.metrics.set("oms_integrations_notifications", [("status", status)], to: Double(notifications[status] ?? 0))
        }
        for status in WebhookSubscription.Status.allCases {
            runtime.metrics.set("oms_integrations_webhook_subscriptions", [("status", status.rawValue)], to: Double(subscriptions.filter { $0.status == status }.count))
        }
    }
}
