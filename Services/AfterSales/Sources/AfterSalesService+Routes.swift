import OMSPlatform

extension AfterSalesService {
    /// Customer service handles returns, exchanges, complaints and feedback; warehouse staff book
    /// returned goods in; ops reads the complaint report.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(ReturnRoutes.self),
        RouteGroupType(ExchangeRoutes.self),
        RouteGroupType(TillReturnRoutes.self),
        RouteGroupType(ComplaintRoutes.self),
        RouteGroupType(OrderAfterSalesRoutes.self),
        RouteGroupType(ComplaintReportRoutes.self),
        RouteGroupType(RefundRoutes.self),
        RouteGroupType(InvoiceRoutes.self),
        RouteGroupType(TillInvoiceRoutes.self),
    ]
}
