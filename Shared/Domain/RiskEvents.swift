import Foundation

/// One rule of the order review that fired: which, how much it weighs, and why (no PII).
/// Invariant: `rule` is a stable machine name; the decision's score is the sum of its findings.
public struct RiskFinding: Codable, Hashable, Sendable {
    public var rule: String
    public var score: Int
    public var reason: String

    public init(rule: String, score: Int, reason: String) {
        self.rule = rule
        self.score = score
        self.reason = reason
    }
}

/// `order.verified` on `oms.risk.decisions`: the order passed review (automatically or by a
/// reviewer) and may take stock. Invariant: at most one decision event per order.
public struct OrderVerified: DomainEvent {
    public static let eventType = "order.verified"
    public static let schemaVersion = 1

    public var orderID: String
    public var score: Int
    public var findings: [RiskFinding]
    /// "rules" for an automatic decision, else the reviewer's id.
    public var decidedBy: String
    public var verifiedAt: Date
    /// The order as verified (with any amendment applied), so inventory needs nothing else.
    public var order: Order

    public init(orderID: String, score: Int, findings: [RiskFinding], decidedBy: String, verifiedAt: Date, order: Order) {
        self.orderID = orderID
        self.score = score
        self.findings = findings
        self.decidedBy = decidedBy
        self.verifiedAt = verifiedAt
        self.order = order
    }
}

/// `order.held` on `oms.risk.decisions`: the order waits in the manual review queue.
public struct OrderHeld: DomainEvent {
    public static let eventType = "order.held"
    public static let schemaVersion = 1

    public var orderID: String
    public var score: Int
    public var findings: [RiskFinding]
    public var heldAt: Date

    public init(orderID: String, score: Int, findings: [RiskFinding], heldAt: Date) {
        self.orderID = orderID
        self.score = score
        self.findings = findings
        self.heldAt = heldAt
    }
}

/// `order.amended` on `oms.risk.decisions`: customer service reached the customer and corrected
/// the delivery details. Fields that did not change are nil. Invariant: only before shipment.
public struct OrderAmended: DomainEvent {
    public static let eventType = "order.amended"
    public static let schemaVersion = 1

    public var orderID: String
    public var recipientName: String?
    public var recipientPhone: String?
    public var deliveryAddress: Address?
    public var amendedBy: String
    public var amendedAt: Date

    public init(orderID: String, recipientName: String?, recipientPhone: String?, deliveryAddress: Address?, amendedBy: String, amendedAt: Date) {
        self.orderID = orderID
        self.recipientName = recipientName
        self.recipientPhone = recipientPhone
        self.deliveryAddress = deliveryAddress
        self.amendedBy = amendedBy
        self.amendedAt = amendedAt
    }
}
