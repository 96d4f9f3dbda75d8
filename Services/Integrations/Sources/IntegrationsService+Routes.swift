import OMSPlatform

extension IntegrationsService {
    /// Ops manage subscriptions and read the delivery log, follow ship-backs and keep the stock
    /// feed's listings.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(WebhookRoutes.self),
        RouteGroupType(MarketplaceRoutes.self),
    ]
}
