import OMSPlatform

extension LogisticsService {
    /// Carriers post tracking events signed with their HMAC secret (checked by the route, so the
    /// route is open to the token check); warehouse staff print waybills; customer service reads
    /// shipments; ops sets up carriers and warehouse origins.
    public static let accessRules: [AccessRule] = [
        .open([.post], "/v1/logistics/carriers/:code/tracking-events"),
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/logistics/shipments"),
        .allow([.warehouse], .reads, "/v1/logistics/shipments/:tracking/waybill"),
        .allow([.warehouse, .customerService, .ops], .reads, "/v1/logistics/shipments/:tracking"),
        .allow([.ops, .warehouse], .reads, "/v1/logistics/carriers"),
        .allow([.ops], [.put], "/v1/logistics/carriers/:code"),
        .allow([.ops, .warehouse], .reads, "/v1/logistics/warehouses/:code"),
        .allow([.ops], [.put], "/v1/logistics/warehouses/:code"),
    ]
}
