import Foundation

/// One parcel handed to a carrier. Invariant: `trackingNumber` is unique across carriers and
/// `status` never moves backwards (see `ShipmentStatus.rank`).
public struct Shipment: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Sendable {
        case dispatched, pickedUp, inTransit, outForDelivery, delivered, exception, lost

        public var rank: Int {
            switch self {
            case .dispatched: 0
            case .pickedUp: 1
            case .inTransit, .exception: 2
            case .outForDelivery: 3
            case .delivered, .lost: 4
            }
        }
    }

    public var shipmentID: String
    public var orderID: String
    public var parcelID: String
    public var warehouseCode: String
    public var carrierCode: String
    public var trackingNumber: String
    public var status: Status
    public var weightGrams: Int
    public var estimatedDelivery: Date?

    public init(shipmentID: String, orderID: String, parcelID: String, warehouseCode: String, carrierCode: String, trackingNumber: String, status: Status, weightGrams: Int, estimatedDelivery: Date?) {
        self.shipmentID = shipmentID
        self.orderID = orderID
        self.parcelID = parcelID
        self.warehouseCode = warehouseCode
        self.carrierCode = carrierCode
        self.trackingNumber = trackingNumber
        self.status = status
        self.weightGrams = weightGrams
        self.estimatedDelivery = estimatedDelivery
    }
}
