import OMSPlatform

extension IntegrationsService {
    /// Ops manage subscriptions and read the delivery log, follow ship-backs and keep the stock
    /// feed's listings; customer service and ops read customers' messages, keep templates and opt-outs;
    /// ops see which purchase orders went to their suppliers.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(WebhookRoutes.self),
        RouteGroupType(MarketplaceRoutes.self),
        RouteGroupType(NotificationRoutes.self),
        RouteGroupType(SupplierOrderRoutes.self),
    ]
}
