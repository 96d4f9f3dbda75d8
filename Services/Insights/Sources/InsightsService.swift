import Hummingbird
import OMSDomain
import OMSPlatform

/// The insights service: read-only order analytics and customer segmentation (issue 13). Consumes
/// every order, risk, inventory, fulfillment, shipment, after-sales and product topic into reporting facts
/// in its own `insights` schema and serves reports (JSON/CSV) and a dashboard. Invariant: it never
/// emits events or writes another service's data; its facts are rebuilt by replaying the topics.
public struct InsightsService: OMSService {
    public static let serviceName = ServiceName.insights
    public let configuration: InsightsConfiguration

    public init(configuration: InsightsConfiguration) {
        self.configuration = configuration
    }

    public var migrations: [Migration] { InsightsServiceMigrations.all }

    public var handlers: [any EventHandler] { [OrderFactsHandler(), ShipmentFactsHandler(), AfterSalesFactsHandler(), ProductDimensionHandler()] }

    /// One group over every business topic; a rebuild runs generation N as `events-g<N>`.
    public static let consumerGroups = [ConsumerGroupSpec(suffix: "events", topics: TopicCatalogue.topicsConsumed(by: .insights), generational: true)]

    public func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] {
        [PipelineSpec(Self.consumerGroups[0], suffix: configuration.groupSuffix, handlers: handlers)]
    }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [InsightsRoutes(runtime: runtime, segmentation: CustomerSegmentation(policy: configuration.segmentation))]
    }
}
