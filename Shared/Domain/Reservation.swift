/// Stock held for one order line in one warehouse. Invariant: `quantity > 0`; the sum of an
/// order line's reservations never exceeds the line's quantity.
public struct Reservation: Codable, Hashable, Sendable {
    public var orderID: String
    public var lineNumber: Int
    public var sku: String
    public var warehouseCode: String
    public var quantity: Int

    public init(orderID: String, lineNumber: Int, sku: String, warehouseCode: String, quantity: Int) {
        self.orderID = orderID
        self.lineNumber = lineNumber
        self.sku = sku
        self.warehouseCode = warehouseCode
        self.quantity = quantity
    }
}
