import AfterSalesService
import FulfillmentService
import InsightsService
import IntakeService
import InventoryService
import LogisticsService
import OMSDomain
import OMSPlatform
import RiskService

/// The routes of all seven services, and one access policy over them (their paths do not overlap
/// but for the platform routes every service serves alike), so omsctl and the tests can choose,
/// for any request, a token the serving service will accept.
public enum SuiteAccess {
    /// Each service's routes, platform routes included, as its `/openapi.json` lists them.
    public static let routesByService: [(service: ServiceName, routes: [RouteSpec])] = [
        (.intake, IntakeService.allRoutes), (.risk, RiskService.allRoutes), (.inventory, InventoryService.allRoutes),
        (.fulfillment, FulfillmentService.allRoutes), (.logistics, LogisticsService.allRoutes), (.aftersales, AfterSalesService.allRoutes),
        (.insights, InsightsService.allRoutes),
    ]

    public static let policy = AccessPolicy(routes: PlatformRoutes.routes + routesByService.flatMap { $0.routes.filter { !PlatformRoutes.routes.contains($0) } })
}
