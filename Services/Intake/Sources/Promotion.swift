import OMSDomain

/// A promotion the pricing engine can apply. Invariant: amounts are integer fen, percentages are
/// whole percent (1...99); `priority` orders promotions of the same stage (lower first).
public struct Promotion: Codable, Hashable, Sendable {
    public enum Kind: Codable, Hashable, Sendable {
        /// `percent`% off lines whose SKU or category matches (e.g. 10 = 10% off).
        case percentageOff(percent: Int, scope: Scope)
        /// "满300减50": `reduction` off when the eligible subtotal reaches `threshold`;
        /// with `repeating`, once per full `threshold` ("每满300减50").
        case spendThreshold(threshold: Money, reduction: Money, repeating: Bool, scope: Scope)
        /// Buy `buyQuantity` of `sku`, get `giftQuantity` of `giftSKU` free, per full multiple.
        case buyXGetY(sku: String, buyQuantity: Int, giftSKU: String, giftQuantity: Int)
    }

    /// Which lines a promotion applies to.
    public enum Scope: Codable, Hashable, Sendable {
        case allItems
        case skus([String])
        case categories([String])

        func matches(sku: String, category: String) -> Bool {
            switch self {
            case .allItems: true
            case .skus(let skus): skus.contains(sku)
            case .categories(let categories): categories.contains(category)
            }
        }
    }

    public var id: String
    public var name: String
    public var kind: Kind
    /// An exclusive promotion, once applied, blocks every later order-level promotion and coupon.
    public var exclusive: Bool
    public var priority: Int
    /// Channels it runs on; empty means every channel.
    public var channels: [Channel]

    public init(id: String, name: String, kind: Kind, exclusive: Bool = false, priority: Int = 100, channels: [Channel] = []) {
        self.id = id
        self.name = name
        self.kind = kind
        self.exclusive = exclusive
        self.priority = priority
        self.channels = channels
    }
}

/// A single-use coupon. Invariant: redeemed at most once (the intake database enforces this with a
/// unique redemption row, even for two orders racing).
public struct Coupon: Codable, Hashable, Sendable {
    public enum Value: Codable, Hashable, Sendable {
        case amountOff(Money)
        case percentOff(Int)
    }

    public var code: String
    public var value: Value
    /// Minimum goods total (after line discounts) for the coupon to apply.
    public var minimumSpend: Money
    /// Whether it may combine with non-exclusive order-level promotions.
    public var stackable: Bool

    public init(code: String, value: Value, minimumSpend: Money = .zero, stackable: Bool = true) {
        self.code = code
        self.value = value
        self.minimumSpend = minimumSpend
        self.stackable = stackable
    }
}

/// Shipping fee rule: `fee` unless the goods total after discounts reaches `freeOver`.
public struct ShippingRule: Codable, Hashable, Sendable {
    public var fee: Money
    public var freeOver: Money?

    public init(fee: Money, freeOver: Money?) {
        self.fee = fee
        self.freeOver = freeOver
    }
}
