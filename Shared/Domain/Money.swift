import Foundation

/// An amount of money in integer minor units (fen for CNY). Never floating point.
/// Invariant: arithmetic only combines amounts of the same currency and traps on overflow.
public struct Money: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Minor units (1 yuan = 100 fen). May be negative for discounts and refunds.
    public var minorUnits: Int64
    /// ISO 4217 code; the OMS trades in CNY.
    public var currency: String

    public init(minorUnits: Int64, currency: String = "CNY") {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func fen(_ value: Int64) -> Money { Money(minorUnits: value) }
    public static let zero = Money(minorUnits: 0)

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "currency mismatch")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "currency mismatch")
        return Money(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }

    public static func * (lhs: Money, quantity: Int) -> Money {
        Money(minorUnits: lhs.minorUnits * Int64(quantity), currency: lhs.currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "currency mismatch")
        return lhs.minorUnits < rhs.minorUnits
    }

    /// Parses a decimal yuan string such as "299.00", "12.5" or "-3" exactly into fen.
    /// Returns nil for anything that is not a plain decimal with at most two fraction digits.
    public init?(yuanString: String, currency: String = "CNY") {
        var text = Substring(yuanString.trimmingCharacters(in: .whitespaces))
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 15,
              parts[0].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 2, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else { return nil }
        guard let yuan = Int64(parts[0]) else { return nil }
        let paddedFraction = fraction + String(repeating: "0", count: 2 - fraction.count)
        let fen = yuan * 100 + (Int64(paddedFraction) ?? 0)
        self.init(minorUnits: negative ? -fen : fen, currency: currency)
    }

    /// The amount as a decimal yuan string with two fraction digits ("12.34", "-0.05"): the
    /// inverse of `init(yuanString:)`, as payment providers (Alipay) and marketplaces write it.
    public var yuanString: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// "¥12.34"-style text for display, e.g. on waybills and in reports.
    public var description: String { "\(yuanString) \(currency)" }

    /// Splits `self` over `weights` in proportion, largest remainder first, so the parts always sum
    /// exactly to `self` (used to allocate an order-level discount back to its lines).
    public func allocate(proportionalTo weights: [Int64]) -> [Money] {
        guard !weights.isEmpty else { return [] }
        let total = weights.reduce(0, +)
        guard total > 0 else {
            var parts = Array(repeating: Money(minorUnits: 0, currency: currency), count: weights.count)
            parts[0].minorUnits = minorUnits
            return parts
        }
        let magnitude = minorUnits.magnitude
        var shares: [UInt64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        for (index, weight) in weights.enumerated() {
            let product = magnitude.multipliedFullWidth(by: UInt64(max(0, weight)))
            let (quotient, remainder) = UInt64(total).dividingFullWidth(product)
            shares.append(quotient)
            remainders.append((index, remainder))
        }
        var leftover = magnitude - shares.reduce(0, +)
        for entry in remainders.sorted(by: { ($0.remainder, -$0.index) > ($1.remainder, -$1.index) }) where leftover > 0 {
            shares[entry.index] += 1
            leftover -= 1
        }
        return shares.map { Money(minorUnits: minorUnits < 0 ? -Int64($0) : Int64($0), currency: currency) }
    }
}
