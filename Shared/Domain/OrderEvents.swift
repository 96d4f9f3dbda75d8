import Foundation

/// A promotion, coupon or channel discount that changed an order's price, and the lines it was
/// allocated to. Invariant: `amount` equals the sum of `shares` (when present), and
/// `shares` are in the order intake applied them, so after-sales can tell what each line paid and
/// whether a partial return breaks a spend threshold.
public struct AppliedPromotion: Codable, Hashable, Sendable {
    /// This promotion's part of one line's `allocatedDiscount`.
    public struct LineShare: Codable, Hashable, Sendable {
        public var lineNumber: Int
        public var amount: Money
        public init(lineNumber: Int, amount: Money) {
            self.lineNumber = lineNumber
            self.amount = amount
        }
    }

    public var promotionID: String
    public var description: String
    public var amount: Money
    public var lines: [Int]
    /// The spend the discount required ("满300减50": 300 yuan; a coupon's minimum spend), measured
    /// on the eligible lines after the discounts applied before this one. Nil: no threshold.
    public var threshold: Money?
    /// The reduction per full threshold of a repeating ("每满") promotion; nil otherwise.
    public var reductionPerThreshold: Money?
    /// Per-line split of `amount`; nil in events from before it was recorded.
    public var shares: [LineShare]?

    public init(promotionID: String, description: String, amount: Money, lines: [Int], threshold: Money? = nil,
                reductionPerThreshold: Money? = nil, shares: [LineShare]? = nil) {
        self.promotionID = promotionID
        self.description = description
        self.amount = amount
        self.lines = lines
        self.threshold = threshold
        self.reductionPerThreshold = reductionPerThreshold
        self.shares = shares
    }
}

/// `order.received` on `oms.orders`: intake accepted, resolved and priced an order. The start of
/// every downstream flow. Invariant: emitted at most once per order id.
public struct OrderReceived: DomainEvent {
    public static let eventType = "order.received"
    public static let schemaVersion = 1

    public var order: Order
    public var appliedPromotions: [AppliedPromotion]
    public var couponCode: String?
    public var receivedAt: Date

    public init(order: Order, appliedPromotions: [AppliedPromotion], couponCode: String?, receivedAt: Date) {
        self.order = order
        self.appliedPromotions = appliedPromotions
        self.couponCode = couponCode
        self.receivedAt = receivedAt
    }
}

/// One reason an order was refused: a stable machine code plus a human explanation (no PII).
public struct RejectionReason: Codable, Hashable, Sendable {
    public var code: String
    public var message: String
    /// The line the reason is about, when it is about one.
    public var lineNumber: Int?

    public init(code: String, message: String, lineNumber: Int? = nil) {
        self.code = code
        self.message = message
        self.lineNumber = lineNumber
    }
}

/// `order.rejected`: the order will not be fulfilled. Intake emits it on `oms.orders` (unknown SKU,
/// coupon already used, amount mismatch); risk emits the same type on `oms.risk.decisions`.
public struct OrderRejected: DomainEvent {
    public static let eventType = "order.rejected"
    public static let schemaVersion = 1

    public var orderID: String
    public var channel: Channel
    public var channelOrderID: String
    public var reasons: [RejectionReason]
    public var rejectedAt: Date

    public init(orderID: String, channel: Channel, channelOrderID: String, reasons: [RejectionReason], rejectedAt: Date) {
        self.orderID = orderID
        self.channel = channel
        self.channelOrderID = channelOrderID
        self.reasons = reasons
        self.rejectedAt = rejectedAt
    }
}

/// `order.awaiting-payment` on `oms.orders`: the order waits for its payment until `dueAt` (the
/// channel sent it before paying, or a payment attempt failed); the customer is asked to pay
/// again or change the payment method. Invariant: emitted for an order still awaiting payment.
public struct OrderAwaitingPayment: DomainEvent {
    public static let eventType = "order.awaiting-payment"
    public static let schemaVersion = 1

    public var orderID: String
    public var channel: Channel
    public var channelOrderID: String
    public var amountDue: Money
    /// Why: "sent_before_payment" or "payment_failed".
    public var reasonCode: String
    public var dueAt: Date
    public var at: Date

    public init(orderID: String, channel: Channel, channelOrderID: String, amountDue: Money, reasonCode: String, dueAt: Date, at: Date) {
        self.orderID = orderID
        self.channel = channel
        self.channelOrderID = channelOrderID
        self.amountDue = amountDue
        self.reasonCode = reasonCode
        self.dueAt = dueAt
        self.at = at
    }
}

/// `order.awaiting-balance` on `oms.orders`: a presale (预售) order's deposit is paid and intake
/// keeps it until its balance (尾款) is paid, by `dueAt`; nothing downstream starts before that
/// (`order.received` follows the balance). Sent again when a balance payment attempt fails.
/// Invariant: `deposit` + `balanceDue` = the order's total; `balanceDue` > 0.
public struct OrderAwaitingBalance: DomainEvent {
    public static let eventType = "order.awaiting-balance"
    public static let schemaVersion = 1

    public var orderID: String
    public var channel: Channel
    public var channelOrderID: String
    public var deposit: Money
    public var balanceDue: Money
    /// "deposit_paid" or "payment_failed".
    public var reasonCode: String
    public var dueAt: Date
    public var at: Date

    public init(orderID: String, channel: Channel, channelOrderID: String, deposit: Money, balanceDue: Money, reasonCode: String, dueAt: Date, at: Date) {
        self.orderID = orderID
        self.channel = channel
        self.channelOrderID = channelOrderID
        self.deposit = deposit
        self.balanceDue = balanceDue
        self.reasonCode = reasonCode
        self.dueAt = dueAt
        self.at = at
    }
}

/// What became of a presale order's deposit when the order was cancelled before its balance:
/// forfeited (定金不退: the customer walked away or let the deadline pass) or refunded (the
/// merchant cancelled). Invariant: `payment` is the deposit's own payment.
public struct DepositSettlement: Codable, Hashable, Sendable {
    public var payment: Payment
    public var refunded: Bool

    public init(payment: Payment, refunded: Bool) {
        self.payment = payment
        self.refunded = refunded
    }
}

/// `order.paid` on `oms.orders`: the payment of an order that awaited it went through; the
/// warehouse may pick it, and refunds go back to this payment. Invariant: at most one per order,
/// never after its cancellation.
public struct OrderPaid: DomainEvent {
    public static let eventType = "order.paid"
    public static let schemaVersion = 1

    public var orderID: String
    public var payment: Payment
    public var paidAt: Date

    public init(orderID: String, payment: Payment, paidAt: Date) {
        self.orderID = orderID
        self.payment = payment
        self.paidAt = paidAt
    }
}

/// `order.cancelled` on `oms.orders`: cancelled before shipment; downstream releases stock and
/// stops work. Invariant: never emitted for an order that has shipped.
public struct OrderCancelled: DomainEvent {
    public static let eventType = "order.cancelled"
    public static let schemaVersion = 1

    public var orderID: String
    /// Who asked: "customer", "customer-service", "channel".
    public var requestedBy: String
    public var reason: String
    /// The status the order had when it was cancelled.
    public var previousStatus: OrderStatus
    public var cancelledAt: Date
    /// A presale order cancelled before its balance: what happens to its deposit (after-sales
    /// refunds it when `refunded`). Nil for every other order.
    public var deposit: DepositSettlement?

    public init(orderID: String, requestedBy: String, reason: String, previousStatus: OrderStatus, cancelledAt: Date, deposit: DepositSettlement? = nil) {
        self.orderID = orderID
        self.requestedBy = requestedBy
        self.reason = reason
        self.previousStatus = previousStatus
        self.cancelledAt = cancelledAt
        self.deposit = deposit
    }
}

/// `order.lines-cancelled` on `oms.orders`: customer service (or the order's channel) cancelled
/// some units of some lines before the order was packed; the rest of the order goes on. Inventory
/// is the arbiter: it cancels what is not yet in a warehouse and asks the warehouses to stop the
/// rest (`inventory.lines-cancelled`). Invariant: `cancellationId` is unique; each line appears
/// once with `quantity` > 0 and never more than the line has left; at least one unit of the
/// order remains (cancelling everything is `order.cancelled`).
public struct OrderLinesCancelled: DomainEvent {
    public static let eventType = "order.lines-cancelled"
    public static let schemaVersion = 1

    public var cancellationId: String
    public var orderID: String
    public var lines: [LineQuantity]
    public var reason: String
    /// "customer-service:<name>", "ops:<name>" or "channel:<name>".
    public var requestedBy: String
    public var cancelledAt: Date

    public init(cancellationId: String, orderID: String, lines: [LineQuantity], reason: String, requestedBy: String, cancelledAt: Date) {
        self.cancellationId = cancellationId
        self.orderID = orderID
        self.lines = lines
        self.reason = reason
        self.requestedBy = requestedBy
        self.cancelledAt = cancelledAt
    }
}

/// `order.line-substituted` on `oms.orders`: the customer accepted another SKU for backordered units
/// of a line (更换款式). `replacement` is a new line of the order (a line number the order never
/// used, below 1000) priced so the customer keeps the discount the replaced units had:
/// `differenceRefund` = the replaced units' paid share minus the replacement's paid amount (≥ 0; a
/// dearer replacement is either refused by intake or its difference waived by customer service).
/// Inventory is the arbiter (`inventory.line-substituted`): only units still on backorder are
/// replaced. Invariant: `substitutionId` unique; `replaced.quantity == replacement.quantity` > 0.
public struct OrderLineSubstituted: DomainEvent {
    public static let eventType = "order.line-substituted"
    public static let schemaVersion = 1

    public var substitutionId: String
    public var orderID: String
    public var replaced: LineQuantity
    public var replacement: OrderLine
    public var differenceRefund: Money
    public var reason: String
    public var requestedBy: String
    public var substitutedAt: Date

    public init(substitutionId: String, orderID: String, replaced: LineQuantity, replacement: OrderLine, differenceRefund: Money, reason: String,
                requestedBy: String, substitutedAt: Date) {
        self.substitutionId = substitutionId
        self.orderID = orderID
        self.replaced = replaced
        self.replacement = replacement
        self.differenceRefund = differenceRefund
        self.reason = reason
        self.requestedBy = requestedBy
        self.substitutedAt = substitutedAt
    }
}
