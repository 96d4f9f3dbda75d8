import OMSPlatform

extension IntakeService {
    /// Channels submit their own orders; customer service (and risk, reading) handles orders;
    /// ops maintains the catalog, promotions and coupons.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(IntakeEdgeRoutes.self),
        RouteGroupType(OrderPaymentRoutes.self),
        RouteGroupType(OrderRoutes.self),
        RouteGroupType(CatalogAdminRoutes.self),
    ]
}
