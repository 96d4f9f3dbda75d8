import OMSPlatform

extension RiskService {
    /// Risk reviewers work the review queue and keep the policy and deny list; ops may read the
    /// policy. No other role can approve or reject a held order.
    public static let routeGroups: [RouteGroupType] = [
        RouteGroupType(ReviewRoutes.self),
    ]
}
