import OMSPlatform

extension InventoryService {
    /// Warehouse staff move stock (counts, adjustments, receipts, transfers); customer service
    /// reads availability and an order's reservations; ops sets up warehouses, channel shares and
    /// sourcing, and buys stock.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(InventorySetupRoutes.self),
        RouteGroupType(StockRoutes.self),
        RouteGroupType(PurchasingRoutes.self),
        RouteGroupType(SupplierRoutes.self),
        RouteGroupType(TransferRoutes.self),
    ]
}
