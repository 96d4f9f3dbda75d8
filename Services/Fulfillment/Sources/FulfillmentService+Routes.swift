import OMSPlatform

extension FulfillmentService {
    /// Warehouse staff release waves, scan picks and pack; customer service reads fulfillment
    /// orders; ops sets up warehouses, the item master and bin locations.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(FulfillmentSetupRoutes.self),
        RouteGroupType(PickingRoutes.self),
        RouteGroupType(PackingRoutes.self),
    ]
}
