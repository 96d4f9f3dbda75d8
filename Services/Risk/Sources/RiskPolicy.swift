import OMSDomain

/// The thresholds, weights and lists of the order review: data, not code. Stored as JSON in
/// `risk.risk_policy` (the defaults below apply until someone saves one).
/// Invariant: amounts in fen; a score at or above `rejectScore` rejects, at or above `holdScore`
/// holds for manual review, below it verifies.
public struct RiskPolicy: Codable, Hashable, Sendable {
    public var holdScore = 30
    public var rejectScore = 100

    /// Orders of at least this total go to a person.
    public var highValueFen: Int64 = 500_000
    public var highValueScore = 40
    /// More units than this on one line, or in the whole order, is unusual.
    public var maxLineQuantity = 20
    public var maxOrderUnits = 50
    public var unusualQuantityScore = 30

    /// Completeness of delivered orders.
    public var incompleteScore = 40
    /// A street shorter than this, or without any house number digit, is too vague to deliver.
    public var minStreetLength = 6
    public var vagueAddressScore = 30

    /// Cash on delivery: which channels may use it and up to what total.
    public var codChannels: [Channel] = [.phone]
    public var codMaxFen: Int64 = 200_000
    public var codOverLimitScore = 40

    /// Cash taken at a store till at or above this total (the 50,000 yuan large-cash reporting
    /// threshold) goes to a person; smaller cash sales need no payment reference.
    public var tillCashMaxFen: Int64 = 5_000_000
    public var tillCashOverLimitScore = 40

    /// Velocity (brushing / 刷单): more orders than this within the window from one phone, to one
    /// address, or from one customer account (this order included).
    public var velocityWindowMinutes = 60
    public var maxOrdersPerPhone = 5
    public var maxOrdersPerAddress = 8
    public var maxOrdersPerAccount = 10
    public var maxOrdersPerDevice = 8
    public var velocityScore = 60

    /// Promotion abuse: coupons used by this many other accounts sharing this order's phone,
    /// address or device within the window.
    public var maxCouponAccountsPerHousehold = 2
    public var couponSharingScore = 60
    /// Orders that only farm a promotion: discount at least this share of the goods (percent) and
    /// a paid goods amount no more than `farmingMaxPaidFen`.
    public var farmingMinDiscountPercent = 90
    public var farmingMaxPaidFen: Int64 = 100
    public var farmingScore = 50

    public init() {}
}
