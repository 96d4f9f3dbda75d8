import Foundation
import OMSDomain

/// A parcel's shipment as dispatch decided it: every column of its `shipments` row and its
/// `shipment.dispatched`, all but the tracking number when the carrier's e-waybill API is still to
/// give it. Invariant: `id` is `SHP-<parcelId>`, one per parcel; the event's tracking number is the
/// row's.
struct PlannedShipment: Codable, Sendable {
    var id: String
    var parcelId: String
    var orderId: String
    var fulfillmentOrderId: String
    var warehouseId: String
    /// The carrier service (`SF-EXPRESS`) and its company (`SF`).
    var service: String
    var company: String
    var zone: String
    var feeFen: Int64
    var weightGrams: Int
    var reasons: [String]
    var lines: [ParcelLine]
    var eta: Date
    /// The parcel's cash-on-delivery share (JSON), empty without one; what the courier collects (-1: nothing).
    var codShare: String
    var codExpectedFen: Int64
    var dispatched: ShipmentDispatched
    /// The `fulfillment.packed` it came from, so the dispatch event names its cause.
    var causeEventId: UUID
    var correlationId: UUID
    /// The box it shares with other orders' parcels (合单), under one tracking number.
    var consolidationId: String? = nil

    /// The same shipment with the carrier's number.
    func numbered(_ trackingNumber: String) -> PlannedShipment {
        var planned = self
        planned.dispatched.trackingNumber = trackingNumber
        return planned
    }

    /// The dispatch event, caused by the packing.
    func event(at now: Date) throws -> EventEnvelope {
        var body = dispatched
        body.dispatchedAt = now
        let made = try EventEnvelope.make(body, orderID: orderId, producer: .logistics)
        return EventEnvelope(eventID: made.eventID, type: made.type, schemaVersion: made.schemaVersion, occurredAt: made.occurredAt, orderID: orderId,
                             correlationID: correlationId, causationID: causeEventId, producer: .logistics, payload: made.payload)
    }
}
