import Foundation
import OMSDomain

/// Limits the edge enforces on every channel payload.
public struct IntakeLimits: Sendable {
    public var maxQuantity = 999
    public var maxLines = 200
    /// Largest amount accepted anywhere in a payload: 10 million yuan.
    public var maxAmount = Money.fen(1_000_000_000)
    public var maxTextLength = 200

    public init() {}
}

/// Collects every invalid field of one payload, so a 422 names them all at once. Reasons state the
/// rule, never the offending value (it may be personal data).
struct FieldChecker {
    let limits: IntakeLimits
    private(set) var issues: [FieldIssue] = []

    init(limits: IntakeLimits) {
        self.limits = limits
    }

    mutating func add(_ field: String, _ reason: String) {
        issues.append(FieldIssue(field, reason))
    }

    /// A non-blank, bounded text; returns it trimmed.
    @discardableResult
    mutating func text(_ value: String?, _ field: String, required: Bool = true) -> String? {
        guard let value else {
            if required { add(field, "required") }
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { add(field, "required") }
            return nil
        }
        if trimmed.count > limits.maxTextLength {
            add(field, "at most \(limits.maxTextLength) characters")
            return nil
        }
        return trimmed
    }

    mutating func mobile(_ value: String?, _ field: String) -> String? {
        guard let value, Customer.isMainlandMobile(value) else {
            add(field, value == nil ? "required" : "must be an 11-digit mainland mobile number starting 13-19")
            return nil
        }
        return value
    }

    mutating func address(province: String?, city: String?, district: String?, street: String?, postalCode: String?, prefix: String, names: (String, String, String, String, String)) -> Address? {
        let p = text(province, prefix + names.0), c = text(city, prefix + names.1), d = text(district, prefix + names.2), s = text(street, prefix + names.3)
        let postal = postalCode?.trimmingCharacters(in: .whitespaces)
        let address = Address(province: p ?? "", city: c ?? "", district: d ?? "", street: s ?? "", postalCode: postal?.isEmpty == true ? nil : postal)
        if !address.hasValidPostalCode { add(prefix + names.4, "must be six digits") }
        guard p != nil, c != nil, d != nil, s != nil, address.hasValidPostalCode else { return nil }
        return address
    }

    mutating func quantity(_ value: Int, _ field: String) -> Bool {
        guard (1...limits.maxQuantity).contains(value) else {
            add(field, "must be between 1 and \(limits.maxQuantity)")
            return false
        }
        return true
    }

    /// An amount in fen: 0...maxAmount.
    mutating func fen(_ value: Int64?, _ field: String, required: Bool = true) -> Money? {
        guard let value else {
            if required { add(field, "required") }
            return nil
        }
        guard value >= 0, value <= limits.maxAmount.minorUnits else {
            add(field, "must be an integer number of fen between 0 and \(limits.maxAmount.minorUnits)")
            return nil
        }
        return .fen(value)
    }

    /// A decimal yuan string such as "199.00": 0...maxAmount, at most two decimals.
    mutating func yuan(_ value: String?, _ field: String, required: Bool = true) -> Money? {
        guard let value else {
            if required { add(field, "required") }
            return nil
        }
        guard let money = Money(yuanString: value), money.minorUnits >= 0, money <= limits.maxAmount else {
            add(field, "must be a non-negative decimal yuan amount with at most 2 decimals")
            return nil
        }
        return money
    }

    mutating func lineCount(_ count: Int, _ field: String) {
        if count == 0 { add(field, "at least one line is required") }
        if count > limits.maxLines { add(field, "at most \(limits.maxLines) lines") }
    }

    /// An ISO 8601 instant with an explicit offset or Z, e.g. "2026-11-11T10:15:00+08:00".
    mutating func instant(_ value: String?, _ field: String) -> Date? {
        guard let value else {
            add(field, "required")
            return nil
        }
        let hasZone = value.hasSuffix("Z") || value.range(of: #"[+-]\d{2}:?\d{2}$"#, options: .regularExpression) != nil
        guard hasZone, value.count <= 40, let date = Timestamps.parse(value) else {
            add(field, "must be an ISO 8601 time with an offset, e.g. 2026-11-11T10:15:00+08:00")
            return nil
        }
        // A parser accepts five-digit years (fuzzing found "20266-11-11T..."), which the workers'
        // fixed-width format cannot carry: an accepted order would fail on the other side.
        guard Self.plausibleTimes.contains(date) else {
            add(field, "must be between 2000-01-01 and 2099-12-31")
            return nil
        }
        return date
    }

    /// Instants an order can carry: 2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z.
    static let plausibleTimes = Date(timeIntervalSince1970: 946_684_800)..<Date(timeIntervalSince1970: 4_102_444_800)

    mutating func oneOf(_ value: String, _ allowed: [String], _ field: String) -> String? {
        guard allowed.contains(value) else {
            add(field, "must be one of \(allowed.joined(separator: ", "))")
            return nil
        }
        return value
    }

    func result(_ build: () -> OrderDraft?) -> Result<OrderDraft, PayloadRejected> {
        if issues.isEmpty, let draft = build() { return .success(draft) }
        return .failure(PayloadRejected(issues: issues.isEmpty ? [FieldIssue("(body)", "invalid")] : issues))
    }
}

/// One invalid field of a channel payload, as the edge reports it in a 422 body.
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}

/// A channel payload refused at the edge, with every invalid field (becomes a 422 body).
public struct PayloadRejected: Error, Sendable, Equatable {
    public var issues: [FieldIssue]

    public init(issues: [FieldIssue]) { self.issues = issues }
}
