import Foundation

/// The state an inspector found a returned item in. Only `resellable` goes back on sale.
public enum ReturnedItemCondition: String, Codable, Sendable, CaseIterable {
    case resellable, damaged, used
}

/// Units of one SKU inspected on receipt of a return parcel.
public struct InspectedItem: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int
    public var condition: ReturnedItemCondition

    public init(lineNumber: Int, sku: String, quantity: Int, condition: ReturnedItemCondition) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.condition = condition
    }
}

/// `return.received` on `oms.aftersales.events`: a return parcel arrived at `warehouseId` and was
/// inspected. Inventory restocks resellable items and quarantines the rest. Invariant: one event
/// per return id.
public struct ReturnReceived: DomainEvent {
    public static let eventType = "return.received"
    public static let schemaVersion = 1

    public var returnId: String
    public var orderID: String
    public var warehouseId: String
    public var items: [InspectedItem]
    public var receivedAt: Date
    /// The return's reason (absent in events from before it was carried).
    public var reason: ReturnAuthorization.Reason?

    public init(returnId: String, orderID: String, warehouseId: String, items: [InspectedItem], receivedAt: Date, reason: ReturnAuthorization.Reason? = nil) {
        self.returnId = returnId
        self.orderID = orderID
        self.warehouseId = warehouseId
        self.items = items
        self.receivedAt = receivedAt
        self.reason = reason
    }
}

/// `return.requested`: customer service or a channel opened a return that passed the eligibility
/// rules. `approved` is true when the reason is approved automatically. Invariant: one per return id.
public struct ReturnRequested: DomainEvent {
    public static let eventType = "return.requested"
    public static let schemaVersion = 1

    public var returnId: String
    public var orderID: String
    public var reason: ReturnAuthorization.Reason
    public var lines: [ReturnAuthorization.Line]
    public var approved: Bool
    public var requestedBy: String
    public var requestedAt: Date

    public init(returnId: String, orderID: String, reason: ReturnAuthorization.Reason, lines: [ReturnAuthorization.Line], approved: Bool, requestedBy: String, requestedAt: Date) {
        self.returnId = returnId
        self.orderID = orderID
        self.reason = reason
        self.lines = lines
        self.approved = approved
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
    }
}

/// `return.decided`: a reviewer approved or rejected a return that needed manual approval.
/// Invariant: at most one per return id; a decided return is never decided again.
public struct ReturnDecided: DomainEvent {
    public static let eventType = "return.decided"
    public static let schemaVersion = 1

    public var returnId: String
    public var orderID: String
    public var approved: Bool
    public var decidedBy: String
    public var note: String
    public var decidedAt: Date

    public init(returnId: String, orderID: String, approved: Bool, decidedBy: String, note: String, decidedAt: Date) {
        self.returnId = returnId
        self.orderID = orderID
        self.approved = approved
        self.decidedBy = decidedBy
        self.note = note
        self.decidedAt = decidedAt
    }
}

/// What one refunded line returns: units, and the amount the customer paid for them.
public struct RefundLine: Codable, Hashable, Sendable {
    public var lineNumber: Int
    public var sku: String
    public var quantity: Int
    public var amount: Money

    public init(lineNumber: Int, sku: String, quantity: Int, amount: Money) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.amount = amount
    }
}

/// A discount the customer no longer earns because a return took the kept goods below the
/// promotion's threshold; deducted from the refund.
public struct PromotionClawback: Codable, Hashable, Sendable {
    public var promotionID: String
    public var amount: Money

    public init(promotionID: String, amount: Money) {
        self.promotionID = promotionID
        self.amount = amount
    }
}

/// Why money goes back: a received return, a cancellation before shipment, or a risk rejection.
public enum RefundCause: String, Codable, Sendable, CaseIterable {
    case `return`, cancellation, rejection
    /// Some units of some lines cancelled before packing (`order.lines-cancelled`).
    case lineCancellation
    /// Backordered units replaced by a cheaper SKU (`order.line-substituted`): the difference.
    case substitution
    /// The deposit of a presale order the merchant cancelled before its balance was paid.
    case presaleDeposit

    /// Whether the refund means the order is (partly) refunded, rather than a live order's change
    /// that leaves the rest of it on its way (or, for a deposit, an order that never started).
    public var refundsTheOrder: Bool { self != .lineCancellation && self != .substitution && self != .presaleDeposit }
}

/// `aftersales.refund-issued`: a refund was decided and is owed to the customer's original payment;
/// `aftersales.refund-settled` says later whether the provider paid it.
/// Invariant: `refundId` is derived from its cause (one refund per return, one per cancelled or
/// rejected order, whatever retries); `amount = sum(lines) - sum(clawbacks) + shippingFeeRefunded >= 0`
/// for returns; all refunds of an order never exceed what was paid.
public struct RefundIssued: DomainEvent {
    public static let eventType = "aftersales.refund-issued"
    public static let schemaVersion = 1

    public var refundId: String
    /// The return refunded; nil for a cancellation or a rejection.
    public var returnId: String?
    public var orderID: String
    public var amount: Money
    public var lines: [RefundLine]
    public var clawbacks: [PromotionClawback]
    public var shippingFeeRefunded: Money
    /// Units received but not refunded (e.g. used goods sent back without a merchant fault).
    public var withheldUnits: Int
    public var paymentMethod: PaymentMethod
    public var issuedAt: Date
    /// Absent in events written before cancellations were refunded: those are returns.
    public var cause: RefundCause?

    public init(refundId: String, returnId: String?, orderID: String, amount: Money, lines: [RefundLine], clawbacks: [PromotionClawback],
                shippingFeeRefunded: Money, withheldUnits: Int, paymentMethod: PaymentMethod, issuedAt: Date, cause: RefundCause = .return) {
        self.refundId = refundId
        self.returnId = returnId
        self.orderID = orderID
        self.amount = amount
        self.lines = lines
        self.clawbacks = clawbacks
        self.shippingFeeRefunded = shippingFeeRefunded
        self.withheldUnits = withheldUnits
        self.paymentMethod = paymentMethod
        self.issuedAt = issuedAt
        self.cause = cause
    }
}

/// How a refund ended: paid back by the provider, failed for good (finance and customer service
/// act), or owed in cash at the till or by the courier (no provider can pay it). (A held
/// cancellation refund voided by a refused cancellation was never issued: no event settles it.)
public enum RefundOutcome: String, Codable, Sendable, CaseIterable {
    case succeeded, failed, owed
}

/// `aftersales.refund-settled`: the end of one refund's payment. Invariant: one per move of the
/// refund to a final state, made once in one transaction; only a `failed` refund that finance
/// queues again (`POST /v1/aftersales/refunds/{id}/retry`) can settle a second time.
public struct RefundSettled: DomainEvent {
    public static let eventType = "aftersales.refund-settled"
    public static let schemaVersion = 1

    public var refundId: String
    public var orderID: String
    public var amount: Money
    public var refundOutcome: RefundOutcome
    /// `wechatpay`, `alipay` or `offline`.
    public var provider: String
    /// The provider's own id for the refund, when it paid.
    public var providerRefundId: String?
    /// The provider's error code of a final failure, or why a refund is owed or voided.
    public var reasonCode: String?
    public var attempts: Int
    public var settledAt: Date

    public init(refundId: String, orderID: String, amount: Money, refundOutcome: RefundOutcome, provider: String, providerRefundId: String?,
                reasonCode: String?, attempts: Int, settledAt: Date) {
        self.refundId = refundId
        self.orderID = orderID
        self.amount = amount
        self.refundOutcome = refundOutcome
        self.provider = provider
        self.providerRefundId = providerRefundId
        self.reasonCode = reasonCode
        self.attempts = attempts
        self.settledAt = settledAt
    }
}

/// `exchange.requested`: swap `quantity` units of a delivered line for `replacement` (another size
/// or colour). Inventory reserves the replacement as a new order line (`replacement.lineNumber`,
/// 1001 and up) and announces it as `inventory.reserved` with cause "exchange", or answers
/// `inventory.exchange-unavailable`. Invariant: one per exchange id.
public struct ExchangeRequested: DomainEvent {
    public static let eventType = "exchange.requested"
    public static let schemaVersion = 1

    public var exchangeId: String
    public var orderID: String
    public var originalLineNumber: Int
    public var originalSku: String
    public var replacement: OrderLine
    public var requestedAt: Date

    public init(exchangeId: String, orderID: String, originalLineNumber: Int, originalSku: String, replacement: OrderLine, requestedAt: Date) {
        self.exchangeId = exchangeId
        self.orderID = orderID
        self.originalLineNumber = originalLineNumber
        self.originalSku = originalSku
        self.replacement = replacement
        self.requestedAt = requestedAt
    }
}

/// `complaint.recorded`, `complaint.escalated` and `complaint.resolved` share this body: the
/// complaint as it stands after the change. Invariant: `escalationLevel` only grows.
public struct ComplaintChanged: Codable, Hashable, Sendable {
    public var complaintId: String
    public var orderID: String
    public var category: Complaint.Category
    public var severity: Complaint.Severity
    public var team: Complaint.Team
    public var escalationLevel: Int
    public var carrier: String?
    public var warehouseId: String?
    public var sku: String?
    public var dueAt: Date
    public var at: Date

    public init(complaintId: String, orderID: String, category: Complaint.Category, severity: Complaint.Severity, team: Complaint.Team,
                escalationLevel: Int, carrier: String?, warehouseId: String?, sku: String?, dueAt: Date, at: Date) {
        self.complaintId = complaintId
        self.orderID = orderID
        self.category = category
        self.severity = severity
        self.team = team
        self.escalationLevel = escalationLevel
        self.carrier = carrier
        self.warehouseId = warehouseId
        self.sku = sku
        self.dueAt = dueAt
        self.at = at
    }
}

/// `complaint.recorded`: a new complaint, already routed to its team.
public struct ComplaintRecorded: DomainEvent {
    public static let eventType = "complaint.recorded"
    public static let schemaVersion = 1
    public var complaint: ComplaintChanged
    public init(complaint: ComplaintChanged) { self.complaint = complaint }
}

/// `complaint.escalated`: the complaint passed its SLA unresolved and moved one level up.
public struct ComplaintEscalated: DomainEvent {
    public static let eventType = "complaint.escalated"
    public static let schemaVersion = 1
    public var complaint: ComplaintChanged
    public init(complaint: ComplaintChanged) { self.complaint = complaint }
}

/// `complaint.resolved`: the responsible team closed the complaint with a resolution.
public struct ComplaintResolved: DomainEvent {
    public static let eventType = "complaint.resolved"
    public static let schemaVersion = 1
    public var complaint: ComplaintChanged
    public var withinSLA: Bool
    public init(complaint: ComplaintChanged, withinSLA: Bool) {
        self.complaint = complaint
        self.withinSLA = withinSLA
    }
}

/// `feedback.recorded`: the customer's rating (1-5) of an order. Invariant: one per order; the
/// comment stays in after-sales (it may hold personal data).
public struct FeedbackRecorded: DomainEvent {
    public static let eventType = "feedback.recorded"
    public static let schemaVersion = 1

    public var orderID: String
    public var rating: Int
    public var recordedAt: Date

    public init(orderID: String, rating: Int, recordedAt: Date) {
        self.orderID = orderID
        self.rating = rating
        self.recordedAt = recordedAt
    }
}
