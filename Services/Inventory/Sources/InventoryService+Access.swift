import OMSPlatform

extension InventoryService {
    /// Warehouse staff move stock (counts, adjustments, receipts, transfers); customer service
    /// reads availability and an order's reservations; ops sets up warehouses, channel shares and
    /// sourcing, and buys stock.
    public static let accessRules: [AccessRule] = [
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/inventory/stock/**"),
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/inventory/availability"),
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/inventory/orders/:id"),
        .allow([.ops], [.post], "/v1/inventory/orders/:id/announce"),
        .allow([.warehouse, .ops], .reads, "/v1/inventory/backorders"),
        .allow([.warehouse, .ops], [.put], "/v1/inventory/stock/:sku/warehouses/:code"),
        .allow([.warehouse, .ops], [.post], "/v1/inventory/adjustments"),
        .allow([.warehouse, .ops], [.post], "/v1/inventory/receipts"),
        .allow([.warehouse, .ops], .any, "/v1/inventory/transfers/**"),
        .allow([.warehouse, .ops], .any, "/v1/inventory/transfers"),
        .allow([.warehouse, .ops], .reads, "/v1/inventory/warehouses"),
        .allow([.ops], [.put], "/v1/inventory/warehouses/:code"),
        .allow([.ops], .any, "/v1/inventory/channel-policies/**"),
        .allow([.ops], .any, "/v1/inventory/channel-policies"),
        .allow([.ops], .any, "/v1/inventory/sourcing-policy"),
        .allow([.ops, .warehouse], .reads, "/v1/inventory/replenishment-requests"),
        .allow([.ops], .any, "/v1/inventory/purchase-orders/**"),
        .allow([.ops], .any, "/v1/inventory/purchase-orders"),
    ]
}
