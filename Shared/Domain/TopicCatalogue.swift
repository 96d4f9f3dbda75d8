/// One Kafka topic of the OMS: who writes it, who reads it, how many partitions it has.
/// Invariant: every event keyed by order id, so partitions bound how many replicas of a consumer
/// can work in parallel.
public struct TopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var producers: [ServiceName]
    public var consumers: [ServiceName]
    public var purpose: String
    /// Event types carried on the topic.
    public var eventTypes: [String]
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

    /// Partition count of the raw intake topic; the most intake workers that can share a burst.
    public static let intakeRawPartitions = 12
    public static let defaultPartitions = 6

    public static let business: [TopicSpec] = [
        TopicSpec(name: intakeRaw, partitions: intakeRawPartitions, producers: [.intake], consumers: [.intake],
                  purpose: "raw channel payloads accepted by the intake edge, worked by intake workers",
                  eventTypes: ["intake.raw-order"]),
        TopicSpec(name: orders, partitions: defaultPartitions, producers: [.intake],
                  consumers: [.risk, .inventory, .fulfillment, .logistics, .aftersales, .insights],
                  purpose: "canonical orders: received, rejected at intake, cancelled",
                  eventTypes: ["order.received", "order.rejected", "order.cancelled"]),
        TopicSpec(name: riskDecisions, partitions: defaultPartitions, producers: [.risk],
                  consumers: [.intake, .inventory, .insights],
                  purpose: "verification outcomes and customer-contact amendments",
                  eventTypes: ["order.verified", "order.held", "order.rejected", "order.amended"]),
        TopicSpec(name: inventoryEvents, partitions: defaultPartitions, producers: [.inventory],
                  consumers: [.intake, .fulfillment, .aftersales, .insights],
                  purpose: "reservations, backorders, releases (keyed by order id); replenishment requests and sold-out crossings (keyed sku:<SKU>)",
                  eventTypes: ["inventory.reserved", "inventory.backordered", "inventory.released", "inventory.replenishment-requested", "inventory.availability-changed",
                               "inventory.exchange-unavailable"]),
        TopicSpec(name: fulfillmentEvents, partitions: defaultPartitions, producers: [.fulfillment],
                  consumers: [.intake, .inventory, .logistics, .insights],
                  purpose: "picking and packing outcomes",
                  eventTypes: ["fulfillment.packed", "fulfillment.short-picked", "fulfillment.cancelled", "fulfillment.cancel-refused"]),
        TopicSpec(name: shipments, partitions: defaultPartitions, producers: [.logistics],
                  consumers: [.intake, .inventory, .fulfillment, .aftersales, .insights],
                  purpose: "dispatch, tracking, delivery proof and exceptions",
                  eventTypes: ["shipment.dispatched", "shipment.in-transit", "shipment.delivered", "shipment.delayed", "shipment.exception", "shipment.lost"]),
        TopicSpec(name: afterSalesEvents, partitions: defaultPartitions, producers: [.aftersales],
                  consumers: [.intake, .inventory, .fulfillment, .logistics, .insights],
                  purpose: "returns, refunds, exchanges, complaints, feedback",
                  eventTypes: ["return.requested", "return.decided", "return.received", "aftersales.refund-issued", "exchange.requested",
                               "complaint.recorded", "complaint.escalated", "complaint.resolved", "feedback.recorded"]),
    ]

    /// Per-service dead-letter and redrive topics (3 partitions each: low volume).
    public static let operational: [TopicSpec] = ServiceName.allCases.flatMap { service in
        [
            TopicSpec(name: service.deadLetterTopic, partitions: 3, producers: [service], consumers: [],
                      purpose: "messages \(service.rawValue) could not process, with the reason in headers", eventTypes: []),
            TopicSpec(name: service.redriveTopic, partitions: 3, producers: [], consumers: [service],
                      purpose: "dead letters sent back to \(service.rawValue) only by ops", eventTypes: []),
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
