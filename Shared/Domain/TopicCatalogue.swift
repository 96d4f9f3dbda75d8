/// One Kafka topic of the OMS: who writes it, who reads it, how many partitions it has.
/// Invariant: every event keyed by order id, so partitions bound how many replicas of a consumer
/// can work in parallel.
public struct TopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var producers: [ServiceName]
    public var consumers: [ServiceName]
    public var purpose: String
    /// The events carried on the topic, as Swift types: their names and payloads are defined once.
    public var events: [any DomainEvent.Type]
    /// Type names of events private to the producing service (its own work queue), whose Swift
    /// type lives in that service.
    public var privateEventTypes: [String] = []

    /// Event type names carried on the topic.
    public var eventTypes: [String] { events.map { $0.eventType } + privateEventTypes }

    public static func == (lhs: TopicSpec, rhs: TopicSpec) -> Bool { lhs.name == rhs.name && lhs.eventTypes == rhs.eventTypes }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The single catalogue of every topic. Scripts (`omsctl topics ensure`, the local stack), the
/// services' subscriptions and docs/architecture.md all derive from this list.
public enum TopicCatalogue {
    public static let intakeRaw = "oms.intake.raw"
    public static let orders = "oms.orders"
    public static let riskDecisions = "oms.risk.decisions"
    public static let inventoryEvents = "oms.inventory.events"
    public static let fulfillmentEvents = "oms.fulfillment.events"
    public static let shipments = "oms.logistics.shipments"
    public static let afterSalesEvents = "oms.aftersales.events"
    public static let catalogProducts = "oms.catalog.products"

    /// Partition count of the raw intake topic; the most intake workers that can share a burst.
    public static let intakeRawPartitions = 12
    public static let defaultPartitions = 6

    public static let business: [TopicSpec] = [
        TopicSpec(name: intakeRaw, partitions: intakeRawPartitions, producers: [.intake], consumers: [.intake],
                  purpose: "raw channel payloads accepted by the intake edge, worked by intake workers",
                  events: [], privateEventTypes: ["intake.raw-order"]),
        TopicSpec(name: orders, partitions: defaultPartitions, producers: [.intake],
                  consumers: [.risk, .inventory, .fulfillment, .logistics, .aftersales, .insights, .integrations],
                  purpose: "canonical orders: received, rejected at intake, cancelled (whole or some lines), paid, amended or substituted by customer service",
                  events: [OrderReceived.self, OrderRejected.self, OrderCancelled.self, OrderAwaitingPayment.self, OrderAwaitingBalance.self, OrderPaid.self, OrderAmended.self,
                           OrderLinesCancelled.self, OrderLineSubstituted.self]),
        TopicSpec(name: riskDecisions, partitions: defaultPartitions, producers: [.risk],
                  consumers: [.intake, .inventory, .aftersales, .insights, .integrations],
                  purpose: "verification outcomes and customer-contact amendments",
                  events: [OrderVerified.self, OrderHeld.self, OrderRejected.self, OrderAmended.self]),
        TopicSpec(name: inventoryEvents, partitions: defaultPartitions, producers: [.inventory],
                  consumers: [.intake, .fulfillment, .aftersales, .insights, .integrations],
                  purpose: "reservations, backorders, releases (keyed by order id); replenishment requests and sold-out crossings (keyed sku:<SKU>); approved purchase orders (keyed po:<number>)",
                  events: [InventoryReserved.self, InventoryBackordered.self, InventoryReleased.self, ReplenishmentRequested.self, PurchaseOrderApproved.self, AvailabilityChanged.self,
                           ExchangeUnavailable.self, InventoryLinesCancelled.self, InventoryLineSubstituted.self]),
        TopicSpec(name: fulfillmentEvents, partitions: defaultPartitions, producers: [.fulfillment],
                  consumers: [.intake, .inventory, .logistics, .aftersales, .insights, .integrations],
                  purpose: "picking and packing outcomes",
                  events: [FulfillmentPacked.self, FulfillmentShortPicked.self, FulfillmentCancelled.self, FulfillmentCancelRefused.self, FulfillmentPackingBlocked.self,
                           FulfillmentLineCancelRefused.self]),
        TopicSpec(name: shipments, partitions: defaultPartitions, producers: [.logistics],
                  consumers: [.intake, .inventory, .fulfillment, .aftersales, .insights, .integrations],
                  purpose: "dispatch, tracking, delivery proof and exceptions",
                  events: [ShipmentDispatched.self, ShipmentInTransit.self, ShipmentDelivered.self, ShipmentDelayed.self, ShipmentException.self, ShipmentLost.self, ShipmentPickupExpired.self,
                           ShipmentAmendmentRefused.self]),
        TopicSpec(name: afterSalesEvents, partitions: defaultPartitions, producers: [.aftersales],
                  consumers: [.intake, .inventory, .fulfillment, .logistics, .insights, .integrations],
                  purpose: "returns, refunds, exchanges, complaints, feedback",
                  events: [ReturnRequested.self, ReturnDecided.self, ReturnReceived.self, RefundIssued.self, RefundSettled.self, ExchangeRequested.self,
                           ComplaintRecorded.self, ComplaintEscalated.self, ComplaintResolved.self, FeedbackRecorded.self, InvoiceIssued.self]),
        TopicSpec(name: catalogProducts, partitions: 3, producers: [.intake], consumers: [.fulfillment, .insights],
                  purpose: "the product master: products created or changed in intake's catalog (keyed sku:<SKU>)",
                  events: [ProductChanged.self]),
    ]

    /// Per-service dead-letter and redrive topics (3 partitions each: low volume).
    public static let operational: [TopicSpec] = ServiceName.allCases.flatMap { service in
        [
            TopicSpec(name: service.deadLetterTopic, partitions: 3, producers: [service], consumers: [],
                      purpose: "messages \(service.rawValue) could not process, with the reason in headers", events: []),
            TopicSpec(name: service.redriveTopic, partitions: 3, producers: [], consumers: [service],
                      purpose: "dead letters sent back to \(service.rawValue) only by ops", events: []),
        ]
    }

    public static var all: [TopicSpec] { business + operational }

    /// The business topics a service consumes (its redrive topic is added by the runtime).
    public static func topicsConsumed(by service: ServiceName) -> [String] {
        business.filter { $0.consumers.contains(service) }.map(\.name)
    }

    public static func spec(named name: String) -> TopicSpec? {
        all.first { $0.name == name }
    }
}
