/// Where a SKU is slotted in one warehouse: zone, aisle and bin along the aisle.
/// Invariant: aisle and bin are >= 1; a SKU has one pick location per warehouse.
public struct BinLocation: Codable, Hashable, Sendable {
    public var zone: String
    public var aisle: Int
    public var bin: Int

    public init(zone: String, aisle: Int, bin: Int) {
        self.zone = zone
        self.aisle = aisle
        self.bin = bin
    }

    /// "B-03-12": what a picker reads on the shelf label.
    public var label: String {
        "\(zone)-\(aisle < 10 ? "0" : "")\(aisle)-\(bin < 10 ? "0" : "")\(bin)"
    }
}
