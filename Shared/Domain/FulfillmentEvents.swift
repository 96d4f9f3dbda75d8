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
