import OMSPlatform

extension IntakeService {
    /// Channels submit their own orders; customer service (and risk, reading) handles orders;
    /// ops maintains the catalog, promotions and coupons.
    public static let accessRules: [AccessRule] = [
        .allow([.channel], [.post], "/v1/channels/:channel/orders", channelParameter: "channel"),
        .allow([.customerService, .risk, .ops], .reads, "/v1/orders/**"),
        .allow([.customerService, .risk, .ops], .reads, "/v1/orders"),
        .allow([.customerService, .ops], [.post], "/v1/orders/:id/cancel"),
        .allow([.ops], .any, "/v1/admin/**"),
    ]
}
