import OMSPlatform

extension LogisticsService {
    /// Carriers post tracking events signed with their HMAC secret (checked by the route, so the
    /// route is open to the token check); warehouse staff print waybills; customer service reads
    /// shipments; ops sets up carriers and warehouse origins, reconciles cash on delivery and follows
    /// e-waybill bookings.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(LogisticsSetupRoutes.self),
        RouteGroupType(ShipmentRoutes.self),
        RouteGroupType(TrackingWebhookRoutes.self),
        RouteGroupType(CashOnDeliveryRoutes.self),
        RouteGroupType(WaybillBookingRoutes.self),
        RouteGroupType(PickupRoutes.self),
    ]
}
