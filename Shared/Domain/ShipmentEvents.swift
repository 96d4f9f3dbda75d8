import Foundation

/// Units of one order line inside a parcel (packed by fulfillment, dispatched by logistics).
public struct ParcelLine: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int

    public init(lineNumber: Int, sku: String, quantity: Int) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
    }
}

/// `shipment.dispatched` on `oms.logistics.shipments`: a parcel left `warehouseId` with a carrier.
/// Inventory turns the matching reservations into on-hand decrements. Invariant: one event per
/// shipment id; `lines` are what the parcel holds.
public struct ShipmentDispatched: DomainEvent {
    public static let eventType = "shipment.dispatched"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var warehouseId: String
    public var carrier: String
    public var trackingNumber: String
    public var lines: [ParcelLine]
    public var dispatchedAt: Date

    public init(shipmentId: String, orderID: String, warehouseId: String, carrier: String, trackingNumber: String, lines: [ParcelLine], dispatchedAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.lines = lines
        self.dispatchedAt = dispatchedAt
    }
}
