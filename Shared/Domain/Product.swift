/// Physical handling attributes of a SKU, which drive packing rules and carrier choice.
public struct HandlingAttributes: Codable, Hashable, Sendable {
    public var fragile: Bool
    public var liquid: Bool
    public var valuable: Bool
    public var perishable: Bool

    public init(fragile: Bool = false, liquid: Bool = false, valuable: Bool = false, perishable: Bool = false) {
        self.fragile = fragile
        self.liquid = liquid
        self.valuable = valuable
        self.perishable = perishable
    }
}

/// A sellable product variant (SKU) as the catalog knows it.
/// Invariant: prices are in fen; weight in grams and volume in cubic centimetres, both > 0.
public struct Product: Codable, Hashable, Sendable {
    public var sku: String
    public var name: String
    public var category: String
    /// EAN-13 barcodes scanned at the till or at picking.
    public var barcodes: [String]
    /// The channel's own id for this SKU (e.g. a marketplace "outer id"), per channel.
    public var outerIDs: [String: String]
    public var listPrice: Money
    public var memberPrice: Money?
    public var weightGrams: Int
    public var volumeCubicCentimetres: Int
    public var handling: HandlingAttributes

    public init(sku: String, name: String, category: String, barcodes: [String] = [], outerIDs: [String: String] = [:], listPrice: Money, memberPrice: Money? = nil, weightGrams: Int, volumeCubicCentimetres: Int, handling: HandlingAttributes = .init()) {
        self.sku = sku
        self.name = name
        self.category = category
        self.barcodes = barcodes
        self.outerIDs = outerIDs
        self.listPrice = listPrice
        self.memberPrice = memberPrice
        self.weightGrams = weightGrams
        self.volumeCubicCentimetres = volumeCubicCentimetres
        self.handling = handling
    }

    /// Validates an EAN-13 barcode including its check digit.
    public static func isValidEAN13(_ code: String) -> Bool {
        let digits = code.utf8.map { Int($0) - 48 }
        guard digits.count == 13, digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        let sum = digits.prefix(12).enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == digits[12]
    }
}
