import Foundation

/// Units of one order line held in one warehouse. Invariant: `quantity > 0`.
public struct StockAllocation: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var warehouseId: String
    public var quantity: Int

    public init(lineNumber: Int, sku: String, warehouseId: String, quantity: Int) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.warehouseId = warehouseId
        self.quantity = quantity
    }
}

/// `inventory.reserved` on `oms.inventory.events`: stock is held for these allocations and the
/// warehouses may start work on them. Invariant: every event is new work (an order that must ship
/// whole gets one event when its last line is covered; an order that may ship partially gets one
/// per allocation round); `allocations` never repeat units of an earlier event.
public struct InventoryReserved: DomainEvent {
    public static let eventType = "inventory.reserved"
    public static let schemaVersion = 1

    public var orderID: String
    public var allocations: [StockAllocation]
    /// Why the stock was reserved now: "verified", "backorder_filled", "reallocated" or "reshipment"
    /// (a lost parcel's units again).
    public var cause: String
    /// True when every unit of the order is now reserved or shipped.
    public var orderComplete: Bool
    public var reservedAt: Date
    /// The order as verified, so fulfillment and logistics need nothing else.
    public var order: Order

    public init(orderID: String, allocations: [StockAllocation], cause: String, orderComplete: Bool, reservedAt: Date, order: Order) {
        self.orderID = orderID
        self.allocations = allocations
        self.cause = cause
        self.orderComplete = orderComplete
        self.reservedAt = reservedAt
        self.order = order
    }
}

/// One order line (or part of it) waiting for stock. `expectedDate` is the earliest open purchase
/// order or transfer arrival for the SKU, else today plus the SKU's lead time.
public struct BackorderedLine: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int
    public var expectedDate: Date?

    public init(lineNumber: Int, sku: String, quantity: Int, expectedDate: Date?) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.expectedDate = expectedDate
    }
}

/// `inventory.backordered`: these units could not be reserved anywhere and wait, first in first
/// out, for a receipt or transfer. `shipsPartially` says whether the covered lines leave now.
public struct InventoryBackordered: DomainEvent {
    public static let eventType = "inventory.backordered"
    public static let schemaVersion = 1

    public var orderID: String
    public var lines: [BackorderedLine]
    public var shipsPartially: Bool
    public var backorderedAt: Date

    public init(orderID: String, lines: [BackorderedLine], shipsPartially: Bool, backorderedAt: Date) {
        self.orderID = orderID
        self.lines = lines
        self.shipsPartially = shipsPartially
        self.backorderedAt = backorderedAt
    }
}

/// `inventory.released`: reservations (and open backorders) of an order given back to stock.
/// Invariant: releases exactly the units that were still reserved, never more.
public struct InventoryReleased: DomainEvent {
    public static let eventType = "inventory.released"
    public static let schemaVersion = 1

    public var orderID: String
    public var released: [StockAllocation]
    public var backordersCancelled: [BackorderedLine]
    /// "order_cancelled", "order_rejected" or "fulfillment_cancelled".
    public var reasonCode: String
    public var releasedAt: Date

    public init(orderID: String, released: [StockAllocation], backordersCancelled: [BackorderedLine], reasonCode: String, releasedAt: Date) {
        self.orderID = orderID
        self.released = released
        self.backordersCancelled = backordersCancelled
        self.reasonCode = reasonCode
        self.releasedAt = releasedAt
    }
}

/// `inventory.replenishment-requested`, keyed `sku:<SKU>`: available-to-sell of a SKU in a
/// warehouse fell below its reorder point; purchasing should order `suggestedQuantity`.
/// Invariant: at most one open request per (SKU, warehouse) until a purchase order answers it.
public struct ReplenishmentRequested: DomainEvent {
    public static let eventType = "inventory.replenishment-requested"
    public static let schemaVersion = 1

    public var requestID: Int64
    public var sku: String
    public var warehouseId: String
    public var availableToSell: Int
    public var reorderPoint: Int
    /// Units reserved in the last 14 days in this warehouse.
    public var recentDemand: Int
    public var suggestedQuantity: Int
    public var requestedAt: Date

    public init(requestID: Int64, sku: String, warehouseId: String, availableToSell: Int, reorderPoint: Int, recentDemand: Int, suggestedQuantity: Int, requestedAt: Date) {
        self.requestID = requestID
        self.sku = sku
        self.warehouseId = warehouseId
        self.availableToSell = availableToSell
        self.reorderPoint = reorderPoint
        self.recentDemand = recentDemand
        self.suggestedQuantity = suggestedQuantity
        self.requestedAt = requestedAt
    }
}

/// `inventory.availability-changed`, keyed `sku:<SKU>`: the SKU became sold out everywhere or
/// sellable again. Emitted only on those crossings, so intake can refuse sold-out SKUs up front.
public struct AvailabilityChanged: DomainEvent {
    public static let eventType = "inventory.availability-changed"
    public static let schemaVersion = 1

    public var sku: String
    /// Available-to-sell summed over all warehouses (may be negative after a count).
    public var availableToSell: Int
    public var soldOut: Bool
    public var changedAt: Date

    public init(sku: String, availableToSell: Int, soldOut: Bool, changedAt: Date) {
        self.sku = sku
        self.availableToSell = availableToSell
        self.soldOut = soldOut
        self.changedAt = changedAt
    }

    /// The Kafka key of stock-level events: all events of one SKU stay in order on one partition.
    public static func key(sku: String) -> String { "sku:\(sku)" }
}

/// `inventory.exchange-unavailable`: no shipping warehouse holds the replacement of an exchange;
/// nothing was reserved, after-sales offers a refund instead. Invariant: one per exchange id.
public struct ExchangeUnavailable: DomainEvent {
    public static let eventType = "inventory.exchange-unavailable"
    public static let schemaVersion = 1

    public var exchangeId: String
    public var orderID: String
    public var sku: String
    public var quantity: Int
    public var checkedAt: Date

    public init(exchangeId: String, orderID: String, sku: String, quantity: Int, checkedAt: Date) {
        self.exchangeId = exchangeId
        self.orderID = orderID
        self.sku = sku
        self.quantity = quantity
        self.checkedAt = checkedAt
    }
}

/// `inventory.lines-cancelled`: inventory's answer to `order.lines-cancelled`. `released` units
/// were never in a warehouse (backordered, reserved but not announced, or the order not yet
/// allocated): they are cancelled for good and their stock is back. `inWarehouses` units were
/// announced: the warehouse stops them (`fulfillment.cancelled` with this `cancellationId`) or
/// refuses (`fulfillment.line-cancel-refused`). `reasonCode` says why nothing was taken
/// ("order_closed") when both lists are empty. Invariant: one per cancellation; released plus
/// in-warehouse units never exceed what the order line had left.
public struct InventoryLinesCancelled: DomainEvent {
    public static let eventType = "inventory.lines-cancelled"
    public static let schemaVersion = 1

    public var cancellationId: String
    public var orderID: String
    public var released: [LineQuantity]
    public var inWarehouses: [StockAllocation]
    public var reasonCode: String?
    public var cancelledAt: Date

    public init(cancellationId: String, orderID: String, released: [LineQuantity], inWarehouses: [StockAllocation], reasonCode: String?, cancelledAt: Date) {
        self.cancellationId = cancellationId
        self.orderID = orderID
        self.released = released
        self.inWarehouses = inWarehouses
        self.reasonCode = reasonCode
        self.cancelledAt = cancelledAt
    }
}

/// `inventory.line-substituted`: inventory's answer to `order.line-substituted`. Accepted: the
/// replaced units' backorder is closed, the replacement line is part of the order, reserved or
/// backordered like any line, and announced with the rest when the order may ship; after-sales
/// refunds `differenceRefund`. Refused (`reasonCode` "not_backordered": stock arrived or the units
/// were never backordered; "order_closed"): nothing changed. Invariant: one per substitution.
public struct InventoryLineSubstituted: DomainEvent {
    public static let eventType = "inventory.line-substituted"
    public static let schemaVersion = 1

    public var substitutionId: String
    public var orderID: String
    public var replaced: LineQuantity
    public var replacement: OrderLine
    public var differenceRefund: Money
    public var accepted: Bool
    public var reasonCode: String?
    public var decidedAt: Date

    public init(substitutionId: String, orderID: String, replaced: LineQuantity, replacement: OrderLine, differenceRefund: Money, accepted: Bool,
                reasonCode: String?, decidedAt: Date) {
        self.substitutionId = substitutionId
        self.orderID = orderID
        self.replaced = replaced
        self.replacement = replacement
        self.differenceRefund = differenceRefund
        self.accepted = accepted
        self.reasonCode = reasonCode
        self.decidedAt = decidedAt
    }

    /// The same substitution, answered.
    public init(_ request: OrderLineSubstituted, accepted: Bool, reasonCode: String?, decidedAt: Date) {
        self.init(substitutionId: request.substitutionId, orderID: request.orderID, replaced: request.replaced, replacement: request.replacement,
                  differenceRefund: request.differenceRefund, accepted: accepted, reasonCode: reasonCode, decidedAt: decidedAt)
    }
}
