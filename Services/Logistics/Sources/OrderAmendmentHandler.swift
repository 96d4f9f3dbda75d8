import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `order.amended` from customer service (on `oms.orders`): logistics books the waybill, so it
/// decides whether a correction still reaches the parcel. Before the order's first parcel is booked
/// the correction is kept (merged with earlier ones) and every waybill of the order uses it; after,
/// the parcel is already labelled: `shipment.amendment-refused` tells intake and customer service.
/// Invariant: events applied as if one by one, in order; an amendment is kept or refused, never both.
public struct OrderAmendmentHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderAmended.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var amendments: [(OrderAmended, EventEnvelope)] = []
        for event in events where event.type == OrderAmended.eventType {
            guard let amended = try? event.decode(OrderAmended.self) else { throw HandlerRejection("undecodable order.amended") }
            if let problem = OrderAmended.problems(recipientName: amended.recipientName, recipientPhone: amended.recipientPhone,
                                                   deliveryAddress: amended.deliveryAddress, shippingService: amended.shippingService).first {
                throw HandlerRejection("order.amended: \(problem.field) \(problem.reason)")
            }
            amendments.append((amended, event))
        }
        guard !amendments.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        let orderIDs = Array(Set(amendments.map(\.0.orderID)))
        let booked = try await OrderAmendmentStore.booked(orderIDs, connection: connection, logger: logger)
        var merged = try await OrderAmendmentStore.amendments(orderIDs.filter { !booked.contains($0) }, vault: context.vault, connection: connection, logger: logger)
        var changed: [String: UUID] = [:]
        let now = Date()
        for (amended, event) in amendments {
            if booked.contains(amended.orderID) {
                try context.emit(ShipmentAmendmentRefused(orderID: amended.orderID, amendmentEventId: event.eventID, reasonCode: "already_packed", refusedAt: now),
                                 orderID: amended.orderID, topic: TopicCatalogue.shipments, causedBy: event)
                logger.warning("amendment refused: the order's parcel is already booked", metadata: ["orderId": "\(amended.orderID)", "eventId": "\(event.eventID)"])
                continue
            }
            merged[amended.orderID] = merged[amended.orderID].map { $0.merged(with: amended) } ?? amended
            changed[amended.orderID] = event.eventID
        }
        try await OrderAmendmentStore.save(changed.keys.sorted().map { (merged[$0]!, changed[$0]!) }, vault: context.vault, connection: connection, logger: logger)
    }
}
