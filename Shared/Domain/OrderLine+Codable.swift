/// A decoded line keeps `lineTotal` computable: a quantity of 1...`wireQuantityLimit` times an
/// amount within `Money.wireLimit` cannot overflow `Int64`.
extension OrderLine {
    /// The largest quantity a line on the wire may have (intake accepts at most 999).
    public static let wireQuantityLimit = 100_000

    private enum CodingKeys: String, CodingKey { case lineNumber, sku, quantity, unitPrice, allocatedDiscount, isGift, category, channelLineID = "channelLineId", taxRateBasisPoints }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let quantity = try container.decode(Int.self, forKey: .quantity)
        guard (1...Self.wireQuantityLimit).contains(quantity) else {
            throw DecodingError.dataCorruptedError(forKey: .quantity, in: container, debugDescription: "quantity must be 1...\(Self.wireQuantityLimit)")
        }
        self.init(lineNumber: try container.decode(Int.self, forKey: .lineNumber), sku: try container.decode(String.self, forKey: .sku), quantity: quantity,
                  unitPrice: try container.decode(Money.self, forKey: .unitPrice), allocatedDiscount: try container.decode(Money.self, forKey: .allocatedDiscount),
                  isGift: try container.decode(Bool.self, forKey: .isGift), category: try container.decodeIfPresent(String.self, forKey: .category),
                  channelLineID: try container.decodeIfPresent(String.self, forKey: .channelLineID),
                  taxRateBasisPoints: try container.decodeIfPresent(Int.self, forKey: .taxRateBasisPoints))
    }
}

extension OrderLine {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lineNumber, forKey: .lineNumber)
        try container.encode(sku, forKey: .sku)
        try container.encode(quantity, forKey: .quantity)
        try container.encode(unitPrice, forKey: .unitPrice)
        try container.encode(allocatedDiscount, forKey: .allocatedDiscount)
        try container.encode(isGift, forKey: .isGift)
        try container.encodeIfPresent(category, forKey: .category)
        try container.encodeIfPresent(channelLineID, forKey: .channelLineID)
        try container.encodeIfPresent(taxRateBasisPoints, forKey: .taxRateBasisPoints)
    }
}
