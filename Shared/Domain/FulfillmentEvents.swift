import Foundation

/// Units of one order line a picker could not find on the shelf.
public struct ShortPickLine: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var missingQuantity: Int

    public init(lineNumber: Int, sku: String, missingQuantity: Int) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.missingQuantity = missingQuantity
    }
}

/// `fulfillment.short-picked` on `oms.fulfillment.events`: the shelf held fewer units than the
/// system thought. Inventory writes the missing units off in that warehouse and re-allocates them.
/// Invariant: `missingQuantity` never exceeds what the warehouse had reserved for the line.
public struct FulfillmentShortPicked: DomainEvent {
    public static let eventType = "fulfillment.short-picked"
    public static let schemaVersion = 1

    public var orderID: String
    public var warehouseId: String
    public var lines: [ShortPickLine]
    public var reportedBy: String
    public var shortPickedAt: Date

    public init(orderID: String, warehouseId: String, lines: [ShortPickLine], reportedBy: String, shortPickedAt: Date) {
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.lines = lines
        self.reportedBy = reportedBy
        self.shortPickedAt = shortPickedAt
    }
}

/// One packed parcel: its carton, measured weight and dimensions, contents and the handling it
/// needs. Invariant: `lines` are non-empty; `insured` is true exactly when it holds a valuable
/// item; `weightGrams` includes carton, packaging materials and inserts.
public struct PackedParcel: Codable, Hashable, Sendable {
    public var parcelId: String
    /// Carton code from the warehouse's carton set, or "OWN" for an item shipped in its own packaging.
    public var cartonCode: String
    public var lengthMm: Int
    public var widthMm: Int
    public var heightMm: Int
    public var weightGrams: Int
    public var lines: [ParcelLine]
    public var fragile: Bool
    public var liquid: Bool
    public var perishable: Bool
    public var valuable: Bool
    public var insured: Bool
    /// Sum of the contents' unit prices, what an insured service covers.
    public var declaredValue: Money
    /// Packaging materials the rules required: protective_wrap, sealed_bag, tamper_evident_seal,
    /// insulated_liner, ice_pack.
    public var packaging: [String]
    /// Paper inserts: invoice, return_slip, promotion_card.
    public var inserts: [String]
    /// Set when this order's units travel in one box with other orders' (合单): the box's id and
    /// the orders in it. The carton, weight and handling are the box's; `lines` and
    /// `declaredValue` are this order's. Logistics books the box once, under one tracking number.
    public var consolidation: ParcelConsolidation?

    public init(parcelId: String, cartonCode: String, lengthMm: Int, widthMm: Int, heightMm: Int, weightGrams: Int, lines: [ParcelLine],
                fragile: Bool, liquid: Bool, perishable: Bool, valuable: Bool, insured: Bool, declaredValue: Money, packaging: [String], inserts: [String],
                consolidation: ParcelConsolidation? = nil) {
        self.consolidation = consolidation
        self.parcelId = parcelId
        self.cartonCode = cartonCode
        self.lengthMm = lengthMm
        self.widthMm = widthMm
        self.heightMm = heightMm
        self.weightGrams = weightGrams
        self.lines = lines
        self.fragile = fragile
        self.liquid = liquid
        self.perishable = perishable
        self.valuable = valuable
        self.insured = insured
        self.declaredValue = declaredValue
        self.packaging = packaging
        self.inserts = inserts
    }
}

/// One physical box holding the units of several orders (合单: the same customer, the same
/// address). Invariant: `orderIDs` has at least two orders, sorted; every order's parcel in the
/// box names the same `consolidationId`.
public struct ParcelConsolidation: Codable, Hashable, Sendable {
    public var consolidationId: String
    public var orderIDs: [String]

    public init(consolidationId: String, orderIDs: [String]) {
        self.consolidationId = consolidationId
        self.orderIDs = orderIDs
    }
}

/// `fulfillment.packed`: a fulfillment order (one order's allocation in one warehouse) is packed
/// into parcels ready for a carrier. Logistics chooses carriers and dispatches each parcel.
/// Invariant: one event per fulfillment order; parcels hold exactly the picked units.
public struct FulfillmentPacked: DomainEvent {
    public static let eventType = "fulfillment.packed"
    public static let schemaVersion = 1

    public var fulfillmentOrderId: String
    public var orderID: String
    public var warehouseId: String
    public var parcels: [PackedParcel]
    public var parcelCount: Int
    /// "automation" in automatic warehouses, else the packer's user id.
    public var packedBy: String
    public var packedAt: Date
    /// The order as verified (recipient, address, requested service), so logistics needs nothing else.
    public var order: Order

    public init(fulfillmentOrderId: String, orderID: String, warehouseId: String, parcels: [PackedParcel], packedBy: String, packedAt: Date, order: Order) {
        self.fulfillmentOrderId = fulfillmentOrderId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.parcels = parcels
        self.parcelCount = parcels.count
        self.packedBy = packedBy
        self.packedAt = packedAt
        self.order = order
    }
}

/// `fulfillment.cancelled`: work on a fulfillment order stopped before packing (the order was
/// cancelled); inventory releases exactly `lines` (the reserved units not already written off by a
/// short pick) in `warehouseId`. Invariant: at most one per fulfillment order.
public struct FulfillmentCancelled: DomainEvent {
    public static let eventType = "fulfillment.cancelled"
    public static let schemaVersion = 1

    public var fulfillmentOrderId: String
    public var orderID: String
    public var warehouseId: String
    public var lines: [ParcelLine]
    /// "order_cancelled", or "line_cancelled" for units of a line cancellation.
    public var reasonCode: String
    /// The line cancellation these units belong to (nil for a whole order's cancellation).
    public var cancellationId: String?
    public var cancelledAt: Date

    public init(fulfillmentOrderId: String, orderID: String, warehouseId: String, lines: [ParcelLine], reasonCode: String, cancellationId: String? = nil, cancelledAt: Date) {
        self.fulfillmentOrderId = fulfillmentOrderId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.lines = lines
        self.reasonCode = reasonCode
        self.cancellationId = cancellationId
        self.cancelledAt = cancelledAt
    }

    /// Whether these units are part of a line cancellation rather than the whole order's.
    public var isLineCancellation: Bool { cancellationId != nil }
}

/// `fulfillment.cancel-refused`: an `order.cancelled` reached a fulfillment order already packed;
/// the parcel goes on to the carrier and the customer needs a return instead. Intake shows the order
/// as packed again. Invariant: at most one per fulfillment order.
public struct FulfillmentCancelRefused: DomainEvent {
    public static let eventType = "fulfillment.cancel-refused"
    public static let schemaVersion = 1

    public var fulfillmentOrderId: String
    public var orderID: String
    public var warehouseId: String
    public var reasonCode: String
    public var refusedAt: Date

    public init(fulfillmentOrderId: String, orderID: String, warehouseId: String, reasonCode: String, refusedAt: Date) {
        self.fulfillmentOrderId = fulfillmentOrderId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.reasonCode = reasonCode
        self.refusedAt = refusedAt
    }
}

/// `fulfillment.packing-blocked`: a picked fulfillment order cannot be packed because the item
/// master lacks some of its SKUs (weight, size, handling unknown). It is retried until the product
/// master's `catalog.product-changed` (or ops' item set-up) supplies them, then packs as usual.
/// Intake shows it on the order's timeline. Invariant: emitted once per change of the blocking
/// reason, never on the retries that find the same SKUs still missing.
public struct FulfillmentPackingBlocked: DomainEvent {
    public static let eventType = "fulfillment.packing-blocked"
    public static let schemaVersion = 1

    public var fulfillmentOrderId: String
    public var orderID: String
    public var warehouseId: String
    /// `item_data_missing`.
    public var reasonCode: String
    public var missingSkus: [String]
    public var blockedAt: Date

    public init(fulfillmentOrderId: String, orderID: String, warehouseId: String, reasonCode: String, missingSkus: [String], blockedAt: Date) {
        self.fulfillmentOrderId = fulfillmentOrderId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.reasonCode = reasonCode
        self.missingSkus = missingSkus
        self.blockedAt = blockedAt
    }
}

/// `fulfillment.line-cancel-refused`: a warehouse could not stop units of a line cancellation
/// (`reasonCode` "already_packed", or "picking_started" once a picker holds the pick list); they
/// ship and the customer needs a return for them. Invariant: at most one per (cancellation,
/// warehouse); never for units the same warehouse stopped.
public struct FulfillmentLineCancelRefused: DomainEvent {
    public static let eventType = "fulfillment.line-cancel-refused"
    public static let schemaVersion = 1

    public var cancellationId: String
    public var orderID: String
    public var warehouseId: String
    public var lines: [ParcelLine]
    public var reasonCode: String
    public var refusedAt: Date

    public init(cancellationId: String, orderID: String, warehouseId: String, lines: [ParcelLine], reasonCode: String, refusedAt: Date) {
        self.cancellationId = cancellationId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.lines = lines
        self.reasonCode = reasonCode
        self.refusedAt = refusedAt
    }
}
