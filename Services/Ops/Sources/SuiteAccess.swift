import OMSDomain
import OMSPlatform

/// The routes of all seven services, and one access policy over them (their paths do not overlap
/// but for the platform routes every service serves alike), so omsctl and the tests can choose,
/// for any request, a token the serving service will accept.
public enum SuiteAccess {
    /// Each service's routes, platform routes included, as its `/openapi.json` lists them.
    public static let routesByService: [(service: ServiceName, routes: [RouteSpec])] = SuiteServices.all.map { ($0.serviceName, $0.allRoutes) }

    public static let policy = AccessPolicy(routes: PlatformRoutes.routes + routesByService.flatMap { $0.routes.filter { !PlatformRoutes.routes.contains($0) } })
}
