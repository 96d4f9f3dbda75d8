import OMSPlatform

extension InsightsService {
    /// Analysts and ops read reports. The dashboard page and its script carry no data and are
    /// open; the script sends the token given in the page address's fragment with every fetch.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(InsightsRoutes.self),
    ]
}
