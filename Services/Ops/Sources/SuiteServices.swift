import AfterSalesService
import FulfillmentService
import InsightsService
import IntegrationsService
import IntakeService
import InventoryService
import LogisticsService
import OMSDomain
import OMSPlatform
import RiskService

/// The eight services' types, for what omsctl and the tests read from their declarations (routes,
/// consumer groups) without running them. Invariant: one type per `ServiceName`, in pipeline order.
public enum SuiteServices {
    public static let all: [any OMSService.Type] = [
        IntakeService.self, RiskService.self, InventoryService.self, FulfillmentService.self,
        LogisticsService.self, AfterSalesService.self, InsightsService.self, IntegrationsService.self,
    ]

    public static func type(of service: ServiceName) -> any OMSService.Type {
        all.first { $0.serviceName == service }!
    }
}
