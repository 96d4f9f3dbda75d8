import AfterSalesService
import FulfillmentService
import InsightsService
import IntakeService
import InventoryService
import LogisticsService
import OMSPlatform
import RiskService

/// The access rules of all seven services in one policy (their paths do not overlap), so omsctl
/// and the tests can choose, for any request, a token the serving service will accept.
public enum SuiteAccess {
    public static let policy = AccessPolicy(rules: IntakeService.accessRules + RiskService.accessRules + InventoryService.accessRules
        + FulfillmentService.accessRules + LogisticsService.accessRules + AfterSalesService.accessRules + InsightsService.accessRules)
}
