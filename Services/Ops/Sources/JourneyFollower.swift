import Foundation
import Logging
import OMSDomain
import OMSKafka
import OMSPlatform

/// Follows orders through the pipeline for the load generator: reads the stages' topics with a
/// throw-away consumer group (never committing, so no service's offsets move) and records, per
/// order, when each stage's event happened (the event's own timestamp) and when this process saw
/// the first `shipment.dispatched`. Invariant: events older than the follower's start are ignored.
actor JourneyFollower {
    struct Stage: Sendable {
        var name: String
        var eventType: String
        var topic: String
    }

    /// The path of a shipped order, in order; each stage's latency runs from the previous event.
    static let stages = [
        Stage(name: "intake", eventType: OrderReceived.eventType, topic: TopicCatalogue.orders),
        Stage(name: "risk", eventType: OrderVerified.eventType, topic: TopicCatalogue.riskDecisions),
        Stage(name: "inventory", eventType: InventoryReserved.eventType, topic: TopicCatalogue.inventoryEvents),
        Stage(name: "fulfillment", eventType: FulfillmentPacked.eventType, topic: TopicCatalogue.fulfillmentEvents),
        Stage(name: "logistics", eventType: ShipmentDispatched.eventType, topic: TopicCatalogue.shipments),
    ]

    /// Events after which an order does not ship (for now): what the load generator reports
    /// instead of waiting for a dispatch that will not come.
    static let stoppers = [OrderHeld.eventType: "held", OrderRejected.eventType: "rejected", InventoryBackordered.eventType: "backordered"]

    struct Journey: Sendable {
        var times: [String: Date] = [:]
        var dispatchSeen: Date?
        /// held, rejected or backordered, if such an event was seen.
        var stoppedBy: String?
    }

    private let consumer: KafkaConsumer
    private let topics: [String]
    private var journeys: [String: Journey] = [:]
    private var dispatched = 0
    private var stopRequested = false
    private var since = Date()

    init(brokers: String, namespace: TopicNamespace, logger: Logger) throws {
        var configuration = KafkaConsumerConfiguration(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "omsctl-load"),
                                                       groupID: "omsctl.load.\(UInt64.random(in: 0..<UInt64.max))")
        configuration.sessionTimeoutMilliseconds = 6_000
        configuration.autoOffsetReset = "latest"
        consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        topics = Array(Set(Self.stages.map { namespace.physical($0.topic) })).sorted()
    }

    /// Joins the group and waits until every partition has a position at its end, so no event of
    /// the run that follows is missed.
    func start(timeout: Duration = .seconds(30)) async throws {
        try consumer.subscribe(topics: topics)
        let deadline = ContinuousClock.now + timeout
        while consumer.assignment.isEmpty {
            guard ContinuousClock.now < deadline else { throw OpsFailure("the load follower got no partitions of \(topics) within \(timeout)") }
            record(try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200)))
        }
        // One more round so the "latest" positions are resolved before the first order goes out.
        for _ in 0..<3 { record(try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200))) }
        since = Date().addingTimeInterval(-1)
    }

    /// Polls until `requestStop()`, then leaves the group.
    func follow() async throws {
        while !stopRequested {
            record(try await consumer.poll(maxMessages: 5_000, timeout: .milliseconds(100)))
        }
        await consumer.close()
    }

    func requestStop() { stopRequested = true }

    func dispatchedCount() -> Int { dispatched }

    func dispatchedCount(of orders: Set<String>) -> Int {
        orders.reduce(0) { $0 + (journeys[$1]?.dispatchSeen == nil ? 0 : 1) }
    }

    /// Orders of `orders` that were dispatched or stopped (held, rejected, backordered).
    func settledCount(of orders: Set<String>) -> Int {
        orders.reduce(0) { count, order in
            guard let journey = journeys[order] else { return count }
            return count + (journey.dispatchSeen != nil || journey.stoppedBy != nil ? 1 : 0)
        }
    }

    func snapshot() -> [String: Journey] { journeys }

    private func record(_ records: [KafkaRecord]) {
        guard !records.isEmpty else { return }
        let now = Date()
        for record in records {
            guard let event = try? EventEnvelope(record: record), event.occurredAt >= since else { continue }
            if let stopper = Self.stoppers[event.type] {
                journeys[event.orderID, default: Journey()].stoppedBy = stopper
                continue
            }
            guard Self.stages.contains(where: { $0.eventType == event.type }) else { continue }
            var journey = journeys[event.orderID] ?? Journey()
            if let earlier = journey.times[event.type], earlier <= event.occurredAt {} else { journey.times[event.type] = event.occurredAt }
            if event.type == "shipment.dispatched" && journey.dispatchSeen == nil {
                journey.dispatchSeen = now
                dispatched += 1
            }
            journeys[event.orderID] = journey
        }
    }
}
