import OMSPlatform

extension FulfillmentService {
    /// Warehouse staff release waves, scan picks and pack; customer service reads fulfillment
    /// orders; ops sets up warehouses, the item master and bin locations.
    public static let accessRules: [AccessRule] = [
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/fulfillment/orders/**"),
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/fulfillment/orders"),
        .allow([.warehouse], [.post], "/v1/fulfillment/orders/:id/pack"),
        .allow([.warehouse, .ops], .any, "/v1/fulfillment/warehouses/:code/waves"),
        .allow([.warehouse, .ops], .reads, "/v1/fulfillment/waves/:id"),
        .allow([.warehouse], [.post], "/v1/fulfillment/pick-tasks/**"),
        .allow([.warehouse, .ops], .reads, "/v1/fulfillment/warehouses/**"),
        .allow([.warehouse, .ops], .reads, "/v1/fulfillment/items/:sku"),
        .allow([.ops], [.put], "/v1/fulfillment/warehouses/**"),
        .allow([.ops], [.put], "/v1/fulfillment/items/:sku"),
    ]
}
