import Foundation

/// How an order is paid.
public enum PaymentMethod: String, Codable, Sendable {
    case card, wallet, wechatPay, alipay, cashAtTill, cashOnDelivery, marketplace

    /// Whether the tender leaves a provider's transaction id (a card authorisation, a wallet or
    /// marketplace payment): cash, at a till or on delivery, does not.
    public var carriesReference: Bool { self != .cashAtTill && self != .cashOnDelivery }
}

/// Whether the channel's payment has gone through. Channels that send an order at checkout,
/// before the payment callback (web shop, mini-program), say `pending`, or `failed` when the
/// first attempt failed; the OMS then waits for `POST /v1/channels/{channel}/orders/{id}/payment`.
/// `depositPaid`: a presale (预售) order whose deposit (定金) is paid; its balance (尾款) is paid
/// through the same callback before the product's balance deadline.
public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case paid, pending, failed, depositPaid
}

/// The deposit (定金) of a presale order, a payment of its own with the provider: refunds of the
/// order go back to the balance's transaction first and to this one for the rest.
/// Invariant: `amount` > 0 and less than the order's total.
public struct DepositPayment: Codable, Hashable, Sendable {
    public var reference: String?
    public var amount: Money
    public var paidAt: Date?

    public init(reference: String?, amount: Money, paidAt: Date?) {
        self.reference = reference
        self.amount = amount
        self.paidAt = paidAt
    }
}

/// Payment as the channel reported it. Invariant: `reference` is present when the method
/// `carriesReference` and the payment went through (risk rejects a paid order without one); cash
/// carries none; an order awaiting payment has paid nothing yet (`paidAmount` zero).
public struct Payment: Codable, Hashable, Sendable {
    public var method: PaymentMethod
    public var reference: String?
    public var paidAmount: Money
    public var paidAt: Date?
    /// Absent (older events, channels that send paid orders only) means paid.
    public var status: PaymentStatus?
    /// A presale order's deposit, paid before this (balance) payment; `paidAmount` includes it.
    public var deposit: DepositPayment?

    public init(method: PaymentMethod, reference: String?, paidAmount: Money, paidAt: Date?, status: PaymentStatus? = nil, deposit: DepositPayment? = nil) {
        self.method = method
        self.reference = reference
        self.paidAmount = paidAmount
        self.paidAt = paidAt
        self.status = status
        self.deposit = deposit
    }

    /// The order waits for its payment (pending, or a failed attempt to be retried).
    public var isAwaiting: Bool { status == .pending || status == .failed }
}

/// The canonical order every channel's payload is normalized into.
/// Invariant: `(channel, channelOrderID)` identifies an order uniquely; `orderID` is the Kafka key of
/// all its events; `total = sum(lines.paidAmount) + shippingFee`; times are UTC instants.
public struct Order: Codable, Hashable, Sendable {
    public var orderID: String
    public var channel: Channel
    public var channelOrderID: String
    public var customer: Customer
    public var deliveryAddress: Address?
    public var lines: [OrderLine]
    public var shippingFee: Money
    public var payment: Payment
    /// Requested carrier service, e.g. "express", honoured by logistics when set.
    public var requestedService: String?
    /// Keyed hash of the shopper's device id where the channel sends one (web, mini-program);
    /// used by risk's velocity and promotion-abuse rules, never the raw id.
    public var deviceKey: String?
    public var placedAt: Date
    /// The buyer's 发票 request, when they asked for one at order time.
    public var invoice: InvoiceRequest?
    /// Buy online, pick up in store (门店自提): the store the customer collects the goods from. The
    /// order is sourced from that store only and never handed to a carrier.
    public var pickupStoreID: String?

    public init(orderID: String, channel: Channel, channelOrderID: String, customer: Customer, deliveryAddress: Address?, lines: [OrderLine], shippingFee: Money, payment: Payment, requestedService: String? = nil, deviceKey: String? = nil, placedAt: Date,
                invoice: InvoiceRequest? = nil, pickupStoreID: String? = nil) {
        self.orderID = orderID
        self.channel = channel
        self.channelOrderID = channelOrderID
        self.customer = customer
        self.deliveryAddress = deliveryAddress
        self.lines = lines
        self.shippingFee = shippingFee
        self.payment = payment
        self.requestedService = requestedService
        self.deviceKey = deviceKey
        self.placedAt = placedAt
        self.invoice = invoice
        self.pickupStoreID = pickupStoreID
    }

    public var goodsTotal: Money { lines.reduce(Money.zero) { $0 + $1.lineTotal } }
    public var discountTotal: Money { lines.reduce(Money.zero) { $0 + $1.allocatedDiscount } }
    public var total: Money { goodsTotal - discountTotal + shippingFee }
}
