import Foundation
import OMSDomain
import OMSPlatform

/// `shipment.pickup-expired`: a pickup order (门店自提) nobody collected in time. Its goods go back
/// on the store's shelves and the order is refunded in full: a return with reason `notCollected`,
/// opened by the system and received at the store as resellable in one transaction (inventory
/// restocks the store from `return.received`), then its refund, paid back like any other.
/// Invariant: one return per expired pickup (the pickup's shipment id is the return's request id),
/// however often the event is delivered.
public struct PickupExpiryHandler: EventHandler {
    public let eventTypes: Set<String> = [ShipmentPickupExpired.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let expired: ShipmentPickupExpired
        do { expired = try event.decode(ShipmentPickupExpired.self) } catch { throw HandlerRejection("undecodable \(event.type): \(error)") }
        guard !expired.lines.isEmpty, expired.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("pickup \(expired.shipmentId) expired with no units") }
        let connection = context.connection, logger = context.logger
        guard try await AfterSalesRecord.load(expired.orderID, lock: true, connection: connection, logger: logger, vault: context.vault) != nil else {
            throw HandlerRejection("pickup \(expired.shipmentId) expired for order \(expired.orderID), which after-sales has no record of")
        }
        let requestID = "pickup:\(expired.shipmentId)"
        if try await ReturnStore.opened(order: expired.orderID, requestID: requestID, connection: connection, logger: logger) != nil { return }
        let id = try await ReturnStore.nextID(order: expired.orderID, connection: connection, logger: logger)
        let lines = expired.lines.map { ReturnAuthorization.Line(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity) }
        let now = Date(), by = "system:pickup-expired"
        try await ReturnStore.open(.init(id: id, orderID: expired.orderID, requestID: requestID, reason: .notCollected, approved: true, lines: lines,
                                         requestedBy: by, note: "not collected at \(expired.storeId) before \(ReturnPolicy.day(expired.expiredAt))", at: now, exchangeID: nil),
                                   connection: connection, logger: logger)
        try context.emit(ReturnRequested(returnId: id, orderID: expired.orderID, reason: .notCollected, lines: lines, approved: true, requestedBy: by, requestedAt: now),
                         orderID: expired.orderID, topic: TopicCatalogue.afterSalesEvents, causedBy: event)
        _ = try await ReturnRoutes.receive(id, .init(warehouseId: expired.storeId, items: lines.map {
            ReturnRoutes.Inspection(lineNumber: $0.lineNumber, quantity: $0.quantity, condition: .resellable, note: nil)
        }), tx: context)
    }
}
