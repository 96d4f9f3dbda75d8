/// A stocking location. Invariant: `code` is unique; `costPerParcel` is in fen.
public struct Warehouse: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var province: String
    public var city: String
    /// Handling cost per parcel, used to break ties between equally near warehouses.
    public var costPerParcel: Money
    /// Automatic warehouses pick and pack without human scans (demos, benchmarks).
    public var automatic: Bool

    public init(code: String, name: String, province: String, city: String, costPerParcel: Money, automatic: Bool = false) {
        self.code = code
        self.name = name
        self.province = province
        self.city = city
        self.costPerParcel = costPerParcel
        self.automatic = automatic
    }
}
