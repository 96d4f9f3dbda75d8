import Foundation
import OMSDomain
import OMSPlatform

/// Refunds orders that end before shipment: `order.cancelled` (held `OMS_CANCELLATION_REFUND_HOLD_SECONDS`,
/// and until the warehouses stop work when one may have started), `order.rejected` (at once), and
/// the warehouses' answers `fulfillment.cancelled` / `fulfillment.cancel-refused` (which voids a
/// held refund). Invariant: idempotent; facts are upserts and a closure opens one refund.
public struct OrderClosureHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderCancelled.eventType, OrderRejected.eventType, FulfillmentCancelled.eventType, FulfillmentCancelRefused.eventType]
    let holdSeconds: Int

    public init(holdSeconds: Int) {
        self.holdSeconds = holdSeconds
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        for event in events {
            switch event.type {
            case OrderCancelled.eventType:
                let cancelled = try decode(OrderCancelled.self, event)
                try await RefundStore.recordClosure(orderID: cancelled.orderID, cause: .cancellation, previousStatus: cancelled.previousStatus, closedAt: cancelled.cancelledAt,
                                                    releaseAt: cancelled.cancelledAt.addingTimeInterval(TimeInterval(holdSeconds)), connection: connection, logger: logger)
            case OrderRejected.eventType:
                let rejected = try decode(OrderRejected.self, event)
                try await RefundStore.recordClosure(orderID: rejected.orderID, cause: .rejection, previousStatus: nil, closedAt: rejected.rejectedAt,
                                                    releaseAt: rejected.rejectedAt, connection: connection, logger: logger)
            case FulfillmentCancelled.eventType:
                let cancelled = try decode(FulfillmentCancelled.self, event)
                try await RefundStore.recordFulfillmentAnswer(orderID: cancelled.orderID, refused: false, now: Date(), connection: connection, logger: logger)
            case FulfillmentCancelRefused.eventType:
                let refused = try decode(FulfillmentCancelRefused.self, event)
                try await RefundStore.recordFulfillmentAnswer(orderID: refused.orderID, refused: true, now: Date(), connection: connection, logger: logger)
            default:
                continue
            }
        }
        try await RefundStore.openClosureRefunds(orderIDs: Array(Set(events.map(\.orderID))).sorted(), context: context)
    }

    private func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(type) } catch { throw HandlerRejection("undecodable \(event.type): \(error)") }
    }
}
