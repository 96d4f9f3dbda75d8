import OMSPlatform

extension RiskService {
    /// Risk reviewers work the review queue and keep the policy and deny list; ops may read the
    /// policy. No other role can approve or reject a held order.
    public static let accessRules: [AccessRule] = [
        .allow([.risk, .ops], .reads, "/v1/risk/policy"),
        .allow([.risk], [.put], "/v1/risk/policy"),
        .allow([.risk], [.post], "/v1/risk/deny-list"),
        .allow([.risk], .any, "/v1/review/**"),
    ]
}
