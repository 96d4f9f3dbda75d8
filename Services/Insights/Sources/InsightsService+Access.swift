import OMSPlatform

extension InsightsService {
    /// Analysts and ops read reports. The dashboard page and its script carry no data and are
    /// open; the script sends the token given in the page address's fragment with every fetch.
    public static let accessRules: [AccessRule] = [
        .open(.reads, "/v1/insights/dashboard"),
        .open(.reads, "/v1/insights/dashboard.js"),
        .allow([.analyst, .ops], .reads, "/v1/insights/**"),
    ]
}
