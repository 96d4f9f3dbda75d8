import Foundation
import OMSDomain

/// A channel order after the edge's stateless checks, before catalog resolution and pricing: the
/// body of the raw intake event. Invariant: quantities are 1...limit, money is integer fen, times
/// are UTC instants, the customer key is pseudonymous (a keyed hash), and every line says how
/// the channel named its SKU.
public struct OrderDraft: Codable, Hashable, Sendable {
    /// How a line names its product; resolved by the intake workers against the catalog.
    public enum SKUReference: Codable, Hashable, Sendable {
        /// The OMS SKU itself (own web shop, mini-program, phone orders).
        case sku(String)
        /// An EAN-13 barcode scanned at a till.
        case barcode(String)
        /// The channel's own id for the SKU (a marketplace "outer id").
        case outerID(String)
    }

    /// Who sets the price: the OMS (own channels; the channel's claimed total is then checked) or
    /// the channel (marketplaces price and collect themselves; their amounts are recorded as sent).
    public enum Pricing: String, Codable, Hashable, Sendable {
        case oms, channel
    }

    public struct Line: Codable, Hashable, Sendable {
        public var reference: SKUReference
        public var quantity: Int
        /// Unit price and line discount as the channel charged them (`pricing == .channel` only).
        public var channelUnitPrice: Money?
        public var channelDiscount: Money
        /// The channel's id of the line (a marketplace sub-order id), carried onto the order line.
        public var channelLineID: String?

        public init(reference: SKUReference, quantity: Int, channelUnitPrice: Money? = nil, channelDiscount: Money = .zero, channelLineID: String? = nil) {
            self.reference = reference
            self.quantity = quantity
            self.channelUnitPrice = channelUnitPrice
            self.channelDiscount = channelDiscount
            self.channelLineID = channelLineID
        }
    }

    public var channel: Channel
    public var channelOrderID: String
    public var customer: Customer
    public var deliveryAddress: Address?
    public var lines: [Line]
    public var pricing: Pricing
    public var couponCode: String?
    public var payment: Payment
    /// The total the channel says the customer pays (checked against OMS pricing); nil for cash
    /// on delivery, where the OMS price is what the courier collects.
    public var claimedTotal: Money?
    /// Shipping fee as the channel charged it (`pricing == .channel` only).
    public var channelShippingFee: Money?
    public var requestedService: String?
    public var placedAt: Date
    /// Non-personal facts about where the order came from: store, till, agent, app id.
    public var source: [String: String]
    /// The buyer's 发票 request (checked by `InvoiceRequest.problems()` at the edge).
    public var invoice: InvoiceRequest?
    /// The store a pickup order is collected from (门店自提).
    public var pickupStoreID: String?

    public init(channel: Channel, channelOrderID: String, customer: Customer, deliveryAddress: Address?, lines: [Line], pricing: Pricing,
                couponCode: String? = nil, payment: Payment, claimedTotal: Money?, channelShippingFee: Money? = nil,
                requestedService: String? = nil, placedAt: Date, source: [String: String] = [:], invoice: InvoiceRequest? = nil,
                pickupStoreID: String? = nil) {
        self.channel = channel
        self.channelOrderID = channelOrderID
        self.customer = customer
        self.deliveryAddress = deliveryAddress
        self.lines = lines
        self.pricing = pricing
        self.couponCode = couponCode
        self.payment = payment
        self.claimedTotal = claimedTotal
        self.channelShippingFee = channelShippingFee
        self.requestedService = requestedService
        self.placedAt = placedAt
        self.source = source
        self.invoice = invoice
        self.pickupStoreID = pickupStoreID
    }
}

/// `intake.raw-order` on `oms.intake.raw`: a channel order the edge accepted, with the order id it
/// answered with. Only intake workers read it. Invariant: one per (channel, channel order id).
public struct RawOrderSubmitted: DomainEvent {
    public static let eventType = "intake.raw-order"
    public static let schemaVersion = 1

    public var orderID: String
    public var draft: OrderDraft
    public var acceptedAt: Date

    public init(orderID: String, draft: OrderDraft, acceptedAt: Date) {
        self.orderID = orderID
        self.draft = draft
        self.acceptedAt = acceptedAt
    }
}
