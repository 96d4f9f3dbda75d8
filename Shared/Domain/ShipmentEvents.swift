import Foundation

/// Units of one order line inside a parcel (packed by fulfillment, dispatched by logistics).
public typealias ParcelLine = LineQuantity

/// `shipment.dispatched` on `oms.logistics.shipments`: a parcel left `warehouseId` with a carrier.
/// Inventory turns the matching reservations into on-hand decrements. Invariant: one event per
/// shipment id; `lines` are what the parcel holds. The later fields are optional so events written
/// before they existed still decode.
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
    public var parcelId: String?
    /// The carrier service booked, e.g. "SF-EXPRESS".
    public var service: String?
    public var weightGrams: Int?
    public var estimatedDelivery: Date?
    /// Why this carrier: the selection rules that decided, e.g. ["valuable_insured", "cheapest_meeting_promise"].
    public var selectionReasons: [String]?
    /// Set when this parcel replaces a lost one.
    public var replacesShipmentId: String?
    /// A pickup order (门店自提): the parcel is ready at the store `warehouseId` rather than handed
    /// to a carrier; the customer shows this code to collect it before `pickupExpiresAt`.
    public var pickupCode: String?
    public var pickupExpiresAt: Date?

    public init(shipmentId: String, orderID: String, warehouseId: String, carrier: String, trackingNumber: String, lines: [ParcelLine], dispatchedAt: Date,
                parcelId: String? = nil, service: String? = nil, weightGrams: Int? = nil, estimatedDelivery: Date? = nil,
                selectionReasons: [String]? = nil, replacesShipmentId: String? = nil, pickupCode: String? = nil, pickupExpiresAt: Date? = nil) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.lines = lines
        self.dispatchedAt = dispatchedAt
        self.parcelId = parcelId
        self.service = service
        self.weightGrams = weightGrams
        self.estimatedDelivery = estimatedDelivery
        self.selectionReasons = selectionReasons
        self.replacesShipmentId = replacesShipmentId
        self.pickupCode = pickupCode
        self.pickupExpiresAt = pickupExpiresAt
    }
}

/// `shipment.pickup-expired`: a pickup order (门店自提) was not collected before its time ran out;
/// the store puts the goods back on its shelves and after-sales refunds the order.
public struct ShipmentPickupExpired: DomainEvent {
    public static let eventType = "shipment.pickup-expired"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    /// The store the goods wait in (the shipment's warehouse).
    public var storeId: String
    public var lines: [ParcelLine]
    public var expiredAt: Date

    public init(shipmentId: String, orderID: String, storeId: String, lines: [ParcelLine], expiredAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.storeId = storeId
        self.lines = lines
        self.expiredAt = expiredAt
    }
}

/// A carrier scan that moved a shipment forward: `shipment.in-transit` (picked up, arrived at a
/// city, out for delivery). Invariant: emitted only when the status advances.
public struct ShipmentInTransit: DomainEvent {
    public static let eventType = "shipment.in-transit"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var trackingNumber: String
    /// pickedUp, inTransit or outForDelivery.
    public var status: String
    public var location: String?
    public var occurredAt: Date

    public init(shipmentId: String, orderID: String, trackingNumber: String, status: String, location: String?, occurredAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.trackingNumber = trackingNumber
        self.status = status
        self.location = location
        self.occurredAt = occurredAt
    }
}

/// `shipment.delivered` with proof of delivery. Invariant: at most once per shipment.
public struct ShipmentDelivered: DomainEvent {
    public static let eventType = "shipment.delivered"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var trackingNumber: String
    public var deliveredAt: Date
    public var location: String?
    /// Who signed (as the carrier reports it: "本人", "快递柜", a masked name).
    public var signedBy: String?
    /// The carrier's reference to a signature image or door photo.
    public var proofReference: String?
    public var lines: [ParcelLine]
    /// Cash on delivery the courier reported collecting for this parcel; nil when none was
    /// reported (a prepaid parcel, or a carrier that does not report it).
    public var cashCollected: Money?

    public init(shipmentId: String, orderID: String, trackingNumber: String, deliveredAt: Date, location: String?, signedBy: String?, proofReference: String?, lines: [ParcelLine],
                cashCollected: Money? = nil) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.trackingNumber = trackingNumber
        self.deliveredAt = deliveredAt
        self.location = location
        self.signedBy = signedBy
        self.proofReference = proofReference
        self.lines = lines
        self.cashCollected = cashCollected
    }
}

/// `shipment.delayed`: no scan for too long, the ETA passed, or the carrier reported a delay.
/// Invariant: at most once per shipment; the customer-facing status shows it.
public struct ShipmentDelayed: DomainEvent {
    public static let eventType = "shipment.delayed"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var trackingNumber: String
    /// no_scan, eta_passed or carrier_reported.
    public var reasonCode: String
    public var estimatedDelivery: Date?
    public var detectedAt: Date

    public init(shipmentId: String, orderID: String, trackingNumber: String, reasonCode: String, estimatedDelivery: Date?, detectedAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.trackingNumber = trackingNumber
        self.reasonCode = reasonCode
        self.estimatedDelivery = estimatedDelivery
        self.detectedAt = detectedAt
    }
}

/// `shipment.exception`: damage or an address problem reported by the carrier; customer service
/// follows up. Invariant: one per carrier event.
public struct ShipmentException: DomainEvent {
    public static let eventType = "shipment.exception"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var trackingNumber: String
    /// damage or address_problem.
    public var reasonCode: String
    public var note: String?
    public var occurredAt: Date

    public init(shipmentId: String, orderID: String, trackingNumber: String, reasonCode: String, note: String?, occurredAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.trackingNumber = trackingNumber
        self.reasonCode = reasonCode
        self.note = note
        self.occurredAt = occurredAt
    }
}

/// `shipment.lost`: the parcel is lost or destroyed. Inventory reserves the same units again and
/// fulfillment packs them (`inventory.reserved` cause "reshipment"); logistics dispatches the
/// replacement. Invariant: at most once per shipment, so exactly one re-shipment.
public struct ShipmentLost: DomainEvent {
    public static let eventType = "shipment.lost"
    public static let schemaVersion = 1

    public var shipmentId: String
    public var orderID: String
    public var warehouseId: String
    public var trackingNumber: String
    public var lines: [ParcelLine]
    /// lost or destroyed.
    public var reasonCode: String
    public var reportedAt: Date

    public init(shipmentId: String, orderID: String, warehouseId: String, trackingNumber: String, lines: [ParcelLine], reasonCode: String, reportedAt: Date) {
        self.shipmentId = shipmentId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.trackingNumber = trackingNumber
        self.lines = lines
        self.reasonCode = reasonCode
        self.reportedAt = reportedAt
    }
}

/// `shipment.amendment-refused`: an `order.amended` from customer service reached logistics after
/// the order's waybill was booked (the order was packed meanwhile): the parcel goes to the details
/// it was packed with. Intake puts it on the order's timeline for customer service to call the
/// carrier or the customer. Invariant: at most one per amendment event.
public struct ShipmentAmendmentRefused: DomainEvent {
    public static let eventType = "shipment.amendment-refused"
    public static let schemaVersion = 1

    public var orderID: String
    /// The refused `order.amended` event.
    public var amendmentEventId: UUID
    /// `already_packed`.
    public var reasonCode: String
    public var refusedAt: Date

    public init(orderID: String, amendmentEventId: UUID, reasonCode: String, refusedAt: Date) {
        self.orderID = orderID
        self.amendmentEventId = amendmentEventId
        self.reasonCode = reasonCode
        self.refusedAt = refusedAt
    }
}
