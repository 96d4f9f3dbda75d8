/// Tracking numbers in a carrier's format: its prefix, then `digits` digits of which the last is a
/// check digit (weights 3,1,3,1… from the left over the sequence digits, like EAN). Invariant: the
/// same (prefix, digits, sequence) always gives the same number and distinct sequences give distinct
/// numbers, so a per-carrier sequence makes them unique.
public enum TrackingNumber {
    public static func make(prefix: String, digits: Int, sequence: Int64) -> String {
        let body = String(sequence)
        let padded = String(repeating: "0", count: max(0, digits - 1 - body.count)) + body
        return prefix + padded + String(checkDigit(padded))
    }

    public static func isValid(_ number: String, prefix: String, digits: Int) -> Bool {
        guard number.hasPrefix(prefix) else { return false }
        let rest = number.dropFirst(prefix.count)
        guard rest.count == digits, rest.allSatisfy(\.isASCII), rest.allSatisfy(\.isNumber) else { return false }
        return checkDigit(String(rest.dropLast())) == Int(String(rest.last!))
    }

    static func checkDigit(_ digits: String) -> Int {
        let sum = digits.utf8.enumerated().reduce(0) { $0 + (Int($1.element) - 48) * ($1.offset % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }
}
