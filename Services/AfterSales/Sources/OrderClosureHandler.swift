import Foundation
import OMSDomain
import OMSPlatform

/// Refunds orders that end before shipment: `order.cancelled` (held `OMS_CANCELLATION_REFUND_HOLD_SECONDS`,
/// and until the warehouses stop work when one may have started), `order.rejected` (at once), and
/// the warehouses' answers `fulfillment.cancelled` / `fulfillment.cancel-refused` (which voids a
/// held refund); and the units of line cancellations that were stopped, by inventory
/// (`inventory.lines-cancelled`) or by a warehouse (`fulfillment.cancelled` with a cancellation id),
/// each part refunded once; and the deposit of a presale order the merchant cancelled before its
/// balance (`RF-D-<order>`, back to the deposit's own transaction). Invariant: idempotent; facts are upserts and a closure opens one refund.
public struct OrderClosureHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderCancelled.eventType, OrderRejected.eventType, FulfillmentCancelled.eventType, FulfillmentCancelRefused.eventType,
                                          InventoryLinesCancelled.eventType, InventoryLineSubstituted.eventType]
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
                if cancelled.previousStatus == .awaitingBalance {
                    // A presale order that never started: only its deposit may go back.
                    if let deposit = cancelled.deposit, deposit.refunded {
                        try await RefundStore.recordDepositRefund(orderID: cancelled.orderID, deposit: deposit.payment, cancelledAt: cancelled.cancelledAt, context: context)
                    }
                    continue
                }
                try await RefundStore.recordClosure(orderID: cancelled.orderID, cause: .cancellation, previousStatus: cancelled.previousStatus, closedAt: cancelled.cancelledAt,
                                                    releaseAt: cancelled.cancelledAt.addingTimeInterval(TimeInterval(holdSeconds)), connection: connection, logger: logger)
            case OrderRejected.eventType:
                let rejected = try decode(OrderRejected.self, event)
                try await RefundStore.recordClosure(orderID: rejected.orderID, cause: .rejection, previousStatus: nil, closedAt: rejected.rejectedAt,
                                                    releaseAt: rejected.rejectedAt, connection: connection, logger: logger)
            case InventoryLinesCancelled.eventType:
                let cancelled = try decode(InventoryLinesCancelled.self, event)
                guard cancelled.released.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("inventory.lines-cancelled with a non-positive quantity") }
                if !cancelled.released.isEmpty {
                    try await RefundStore.recordLineCancellationPart("RF-L-\(cancelled.cancellationId)-I", cancellationId: cancelled.cancellationId, orderID: cancelled.orderID,
                                                                     lines: cancelled.released, at: cancelled.cancelledAt, connection: connection, logger: logger)
                }
            case InventoryLineSubstituted.eventType:
                let substituted = try decode(InventoryLineSubstituted.self, event)
                guard substituted.accepted else { continue }
                guard substituted.differenceRefund.minorUnits >= 0, substituted.replaced.quantity > 0 else {
                    throw HandlerRejection("inventory.line-substituted with a negative refund or no units")
                }
                try await RefundStore.recordSubstitutionPart(substituted, connection: connection, logger: logger)
            case FulfillmentCancelled.eventType:
                let cancelled = try decode(FulfillmentCancelled.self, event)
                if let cancellationId = cancelled.cancellationId {
                    // Units of a line cancellation a warehouse stopped: refunded on their own.
                    guard cancelled.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("fulfillment.cancelled with a non-positive quantity") }
                    try await RefundStore.recordLineCancellationPart("RF-L-\(cancellationId)-\(cancelled.fulfillmentOrderId)", cancellationId: cancellationId,
                                                                     orderID: cancelled.orderID, lines: cancelled.lines, at: cancelled.cancelledAt,
                                                                     connection: connection, logger: logger)
                    continue
                }
                try await RefundStore.recordFulfillmentAnswer(orderID: cancelled.orderID, refused: false, now: Date(), connection: connection, logger: logger)
            case FulfillmentCancelRefused.eventType:
                let refused = try decode(FulfillmentCancelRefused.self, event)
                try await RefundStore.recordFulfillmentAnswer(orderID: refused.orderID, refused: true, now: Date(), connection: connection, logger: logger)
            default:
                continue
            }
        }
        let orders = Array(Set(events.map(\.orderID))).sorted()
        try await RefundStore.openClosureRefunds(orderIDs: orders, context: context)
        try await RefundStore.openLineCancellationRefunds(orderIDs: orders, context: context)
    }

    private func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(type) } catch { throw HandlerRejection("undecodable \(event.type): \(error)") }
    }
}
