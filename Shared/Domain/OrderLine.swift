/// One priced line of an order. Invariant: `quantity > 0`; `lineTotal = unitPrice * quantity`;
/// `allocatedDiscount` is this line's share of every discount (line and order level), so
/// `paidAmount = lineTotal - allocatedDiscount` is what a refund of the whole line returns.
public struct OrderLine: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int
    public var unitPrice: Money
    public var allocatedDiscount: Money
    /// True for a buy-X-get-Y gift line (unit price zero).
    public var isGift: Bool
    /// The catalog category at the time of the order ("gift" for gift lines); nil in events written
    /// before intake recorded it. Reports group sales and returns by it.
    public var category: String?
    /// The channel's own id of this line where it has one (a Taobao/Tmall sub-order `oid`): a
    /// marketplace told of a split shipment names the parcel's lines by it. Nil elsewhere.
    public var channelLineID: String?
    /// The product's VAT rate in basis points (1300 = 13 %) when the order was priced, for its
    /// invoice; nil in events written before intake recorded it (13 %, the rate on goods).
    public var taxRateBasisPoints: Int?

    public init(lineNumber: Int, sku: String, quantity: Int, unitPrice: Money, allocatedDiscount: Money = .zero, isGift: Bool = false, category: String? = nil,
                channelLineID: String? = nil, taxRateBasisPoints: Int? = nil) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.allocatedDiscount = allocatedDiscount
        self.isGift = isGift
        self.category = category
        self.channelLineID = channelLineID
        self.taxRateBasisPoints = taxRateBasisPoints
    }

    public var lineTotal: Money { unitPrice * quantity }
    public var paidAmount: Money { lineTotal - allocatedDiscount }
}
