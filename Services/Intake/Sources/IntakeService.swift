import Hummingbird
import ServiceLifecycle
import OMSDomain
import OMSPlatform

/// The intake service: multi-channel order capture, pricing and promotions, order status.
/// Owns the `intake` schema. Runs as edge, worker or both (`OMS_INTAKE_ROLE`), so the HTTP edge and
/// the intake workers scale independently. Invariant: it changes state only inside
/// `ServiceDatabase.transaction` or an event handler, so every change and the events it causes
/// commit together.
public struct IntakeService: OMSService {
    public static let serviceName = ServiceName.intake
    public let configuration: IntakeConfiguration
    let hasher: PIIHasher

    /// `hasher`: the process's (`ServiceConfiguration.piiHasher`), the same key as risk's, so deny
    /// lists and lookups by phone agree.
    public init(configuration: IntakeConfiguration, hasher: PIIHasher) {
        self.configuration = configuration
        self.hasher = hasher
    }

    public var migrations: [Migration] { IntakeServiceMigrations.all(seedDemoCatalog: configuration.seedDemoCatalog) }

    public var handlers: [any EventHandler] {
        [RawOrderHandler(assembler: OrderAssembler(shipping: configuration.shipping), hasher: hasher, paymentWindowSeconds: configuration.paymentWindowSeconds), OrderStatusProjection(hasher: hasher), SkuAvailabilityProjection()]
    }

    /// Two groups: `oms.intake.workers` on the raw topic (the scalable intake workers) and
    /// `oms.intake.status` on the downstream topics (the status projection and inventory's
    /// sold-out reports), so a burst of raw
    /// orders never delays status updates.
    /// `workers` turn raw channel payloads into orders; `status` projects every downstream event
    /// onto the order's status and the SKUs' availability.
    public static let consumerGroups = [
        ConsumerGroupSpec(suffix: "workers", topics: [TopicCatalogue.intakeRaw]),
        ConsumerGroupSpec(suffix: "status", topics: TopicCatalogue.topicsConsumed(by: .intake).filter { $0 != TopicCatalogue.intakeRaw }),
    ]

    public func pipelines(runtime: ServiceRuntime) -> [PipelineSpec] {
        guard configuration.role != .edge else { return [] }
        return [
            PipelineSpec(Self.consumerGroups[0], handlers: [RawOrderHandler(assembler: OrderAssembler(shipping: configuration.shipping), hasher: hasher, paymentWindowSeconds: configuration.paymentWindowSeconds)]),
            PipelineSpec(Self.consumerGroups[1], handlers: [OrderStatusProjection(hasher: hasher), SkuAvailabilityProjection()]),
        ]
    }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        let shared: [any RouteGroup] = [OrderRoutes(runtime: runtime, hasher: hasher), CatalogAdminRoutes(runtime: runtime)]
        // A worker process takes no channel traffic (its edge routes answer 404).
        return configuration.role == .worker ? shared : [IntakeEdgeRoutes(runtime: runtime, configuration: configuration, hasher: hasher), OrderPaymentRoutes(runtime: runtime)] + shared
    }

    /// Workers cancel orders whose payment never came.
    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] {
        configuration.role == .edge ? [] : [PaymentDeadline(runtime: runtime, interval: configuration.paymentCheckSeconds).job()]
    }
}
