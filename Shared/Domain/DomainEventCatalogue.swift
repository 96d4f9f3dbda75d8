/// Every domain event type by its wire name, so a consumer that reads only an envelope's metadata
/// (a status projection) can still refuse a payload its type cannot decode or a schema version it
/// does not know. Invariant: one entry per `DomainEvent` type; the test of the topic catalogue
/// checks that every type a topic carries is here.
public enum DomainEventCatalogue {
    public static let types: [any DomainEvent.Type] = [
        OrderReceived.self, OrderRejected.self, OrderCancelled.self, OrderAwaitingPayment.self, OrderAwaitingBalance.self, OrderPaid.self,
        OrderVerified.self, OrderHeld.self, OrderAmended.self, OrderLinesCancelled.self, OrderLineSubstituted.self,
        InventoryReserved.self, InventoryBackordered.self, InventoryReleased.self, ReplenishmentRequested.self, PurchaseOrderApproved.self, AvailabilityChanged.self, ExchangeUnavailable.self, InventoryLinesCancelled.self, InventoryLineSubstituted.self,
        FulfillmentShortPicked.self, FulfillmentPacked.self, FulfillmentCancelled.self, FulfillmentCancelRefused.self, FulfillmentPackingBlocked.self, FulfillmentLineCancelRefused.self,
        ShipmentDispatched.self, ShipmentInTransit.self, ShipmentDelivered.self, ShipmentDelayed.self, ShipmentException.self, ShipmentLost.self, ShipmentPickupExpired.self, ShipmentAmendmentRefused.self,
        ReturnRequested.self, ReturnDecided.self, ReturnReceived.self, RefundIssued.self, RefundSettled.self, ExchangeRequested.self,
        ComplaintRecorded.self, ComplaintEscalated.self, ComplaintResolved.self, FeedbackRecorded.self, InvoiceIssued.self,
        ProductChanged.self,
    ]

    public static let byName: [String: any DomainEvent.Type] = Dictionary(uniqueKeysWithValues: types.map { ($0.eventType, $0) })

    /// Decodes the payload as the envelope's type, checking the schema version; throws what is wrong.
    public static func validate(_ envelope: EventEnvelope) throws {
        guard let type = byName[envelope.type] else {
            throw EventDecodingError.unexpectedType(expected: "a catalogued event type", actual: String(envelope.type.prefix(100)))
        }
        try check(type, envelope)
    }

    private static func check<E: DomainEvent>(_ type: E.Type, _ envelope: EventEnvelope) throws {
        _ = try envelope.decode(E.self)
    }
}
