import Foundation

/// The state an inspector found a returned item in. Only `resellable` goes back on sale.
public enum ReturnedItemCondition: String, Codable, Sendable, CaseIterable {
    case resellable, damaged, used
}

/// Units of one SKU inspected on receipt of a return parcel.
public struct InspectedItem: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int
    public var condition: ReturnedItemCondition

    public init(lineNumber: Int, sku: String, quantity: Int, condition: ReturnedItemCondition) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.condition = condition
    }
}

/// `return.received` on `oms.aftersales.events`: a return parcel arrived at `warehouseId` and was
/// inspected. Inventory restocks resellable items and quarantines the rest. Invariant: one event
/// per return id.
public struct ReturnReceived: DomainEvent {
    public static let eventType = "return.received"
    public static let schemaVersion = 1

    public var returnId: String
    public var orderID: String
    public var warehouseId: String
    public var items: [InspectedItem]
    public var receivedAt: Date

    public init(returnId: String, orderID: String, warehouseId: String, items: [InspectedItem], receivedAt: Date) {
        self.returnId = returnId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.items = items
        self.receivedAt = receivedAt
    }
}
