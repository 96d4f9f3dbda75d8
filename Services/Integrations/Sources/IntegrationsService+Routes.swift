import OMSPlatform

extension IntegrationsService {
    /// Ops manage subscriptions and read the delivery log.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(WebhookRoutes.self),
    ]
}
