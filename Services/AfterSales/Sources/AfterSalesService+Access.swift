import OMSPlatform

extension AfterSalesService {
    /// Customer service handles returns, exchanges, complaints and feedback; warehouse staff book
    /// returned goods in; ops reads the complaint report.
    public static let accessRules: [AccessRule] = [
        .allow([.customerService, .warehouse], [.post], "/v1/aftersales/returns/:id/receipt"),
        .allow([.customerService, .warehouse], [.post], "/v1/aftersales/exchanges/:id/receipt"),
        .allow([.customerService, .ops], .reads, "/v1/aftersales/reports/**"),
        .allow([.customerService], .any, "/v1/aftersales/**"),
    ]
}
