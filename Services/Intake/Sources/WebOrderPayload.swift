import Foundation
import OMSDomain
import OMSPlatform

/// An order from the retailer's own web shop: near-canonical JSON with the account, the shipping
/// address, SKU lines, an optional coupon, the chosen shipping service and a card or wallet
/// payment. Amounts are integer fen; `payment.amountFen` is checked against OMS pricing.
public struct WebOrderPayload: ChannelPayload {
    public struct Customer: Codable, Sendable {
        public var accountId: String
        public var name: String
        public var phone: String
        public var email: String?
        public var member: Bool?
    }

    public struct PaymentInfo: Codable, Sendable {
        /// card | wallet | alipay | wechatPay
        public var method: String
        /// Required when paid.
        public var reference: String?
        /// What the order costs (and, when paid, what was paid).
        public var amountFen: Int64
        /// ISO 8601 with an offset; required when paid.
        public var paidAt: String?
        /// paid (default) | pending (sent at checkout, before the payment callback) | failed (the
        /// first attempt failed): the order then awaits `POST .../orders/{orderNumber}/payment`.
        /// depositPaid: a presale order whose deposit (`depositFen`, with `reference` and
        /// `paidAt` of the deposit) is paid; its balance comes through the same callback.
        public var status: String?
        /// The deposit paid; required with status depositPaid.
        public var depositFen: Int64?
    }

    public static let channel = Channel.web

    public var orderNumber: String
    public var placedAt: String
    public var customer: Customer
    /// Required unless the order is picked up in a store.
    public var shippingAddress: AddressParts?
    /// Buy online, pick up in store (门店自提): the store's code; then no shipping address is needed.
    public var pickupStoreId: String?
    public var lines: [SKULine]
    public var couponCode: String?
    /// The shop's device fingerprint for the shopper's browser or phone, if it has one.
    public var deviceId: String?
    /// standard | express
    public var shippingService: String?
    public var payment: PaymentInfo
    /// The buyer's 发票 request: `{"kind": "personal"|"company", "title", "taxId"?, "email"?}`.
    public var invoice: InvoiceRequest?

    public func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected> {
        var check = FieldChecker(limits: limits)
        let number = check.text(orderNumber, "orderNumber")
        let placed = check.instant(placedAt, "placedAt")
        let account = check.text(customer.accountId, "customer.accountId")
        let name = check.text(customer.name, "customer.name")
        let phone = check.mobile(customer.phone, "customer.phone")
        let email = check.text(customer.email, "customer.email", required: false)
        if let email, !email.contains("@") { check.add("customer.email", "must be an email address") }
        let pickupStore = check.text(pickupStoreId, "pickupStoreId", required: false)
        var address: Address?
        if let shippingAddress, pickupStoreId == nil {
            address = check.address(shippingAddress, prefix: "shippingAddress.")
        } else if pickupStoreId == nil {
            check.add("shippingAddress", "required unless pickupStoreId names the store the customer collects from")
        }
        if pickupStoreId != nil, shippingAddress != nil { check.add("shippingAddress", "not with pickupStoreId: a pickup order is collected in the store") }
        let draftLines = check.skuLines(lines, "lines")
        let coupon = check.text(couponCode, "couponCode", required: false)
        let device = check.text(deviceId, "deviceId", required: false)
        let service = shippingService.flatMap { check.oneOf($0, ["standard", "express"], "shippingService") }
        let method: PaymentMethod? = switch payment.method {
        case "card": .card
        case "wallet": .wallet
        case "alipay": .alipay
        case "wechatPay": .wechatPay
        default: nil
        }
        if method == nil { check.add("payment.method", "must be one of card, wallet, alipay, wechatPay") }
        let status = payment.status.flatMap { check.oneOf($0, PaymentStatus.allCases.map(\.rawValue), "payment.status") }.flatMap(PaymentStatus.init) ?? .paid
        let awaiting = status == .pending || status == .failed
        let reference = awaiting ? check.text(payment.reference, "payment.reference", required: false) : check.text(payment.reference ?? "", "payment.reference")
        let amount = check.fen(payment.amountFen, "payment.amountFen")
        let paidAt: Date? = awaiting ? nil : check.instant(payment.paidAt ?? "", "payment.paidAt")
        var deposit: Money?
        if status == .depositPaid {
            deposit = check.fen(payment.depositFen, "payment.depositFen")
            if let paid = deposit, let amount, paid.minorUnits <= 0 || paid >= amount { check.add("payment.depositFen", "must be > 0 and below payment.amountFen") }
        } else if payment.depositFen != nil {
            check.add("payment.depositFen", "only with payment.status depositPaid")
        }
        for problem in invoice?.problems() ?? [] { check.add(problem.field, problem.reason) }
        return check.result {
            guard let number, let placed, let account, let name, let phone, address != nil || pickupStore != nil, let method, let amount,
                  awaiting || (reference != nil && paidAt != nil) else { return nil }
            let buyer = OMSDomain.Customer(customerKey: hasher.customerKey(channel: "web", account: account), name: name, phone: phone,
                                           email: email, isMember: customer.member ?? false,
                                           personKey: hasher.personKey(phone: phone, memberNumber: nil))
            return OrderDraft(
                channel: .web, channelOrderID: number, customer: buyer, deliveryAddress: address, lines: draftLines, pricing: .oms,
                couponCode: coupon,
                payment: Payment(method: method, reference: awaiting ? nil : reference, paidAmount: awaiting ? .zero : deposit ?? amount, paidAt: paidAt,
                                 status: status == .paid ? nil : status),
                claimedTotal: amount, requestedService: service == "express" && pickupStore == nil ? "express" : nil, placedAt: placed,
                source: device.map { ["deviceKey": hasher.hash($0, purpose: "device")] } ?? [:], invoice: invoice, pickupStoreID: pickupStore
            )
        }
    }
}
