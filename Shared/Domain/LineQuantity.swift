/// Some units of one order line: `quantity` of `sku` from line `lineNumber`. What a parcel holds
/// (`ParcelLine`) and what a return sends back (`ReturnAuthorization.Line`) are both this.
/// Invariant: `quantity` > 0 wherever it is produced.
public struct LineQuantity: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int

    public init(lineNumber: Int, sku: String, quantity: Int) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
    }
}
