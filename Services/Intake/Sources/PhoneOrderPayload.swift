import Foundation
import OMSDomain
import OMSPlatform

/// An order a customer-service agent keys in during a call: the agent and call ticket, the
/// customer's name and phone, the address in parts, SKU lines, and either cash on delivery or a
/// card payment taken over the phone. Amounts are integer fen.
public struct PhoneOrderPayload: ChannelPayload {
    public struct CallerDetails: Codable, Sendable {
        public var name: String
        public var phone: String
        /// Loyalty member number if the caller gave one.
        public var memberNumber: String?
    }

    public struct PaymentTaken: Codable, Sendable {
        /// cashOnDelivery | card
        public var method: String
        public var reference: String?
        public var amountFen: Int64?
    }

    public static let channel = Channel.phone

    public var ticketId: String
    public var agentId: String
    /// ISO 8601 with an offset.
    public var takenAt: String
    public var customer: CallerDetails
    public var address: AddressParts
    public var lines: [SKULine]
    public var couponCode: String?
    public var payment: PaymentTaken
    /// The caller's 发票 request, as the web shop sends it.
    public var invoice: InvoiceRequest?

    public func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected> {
        var check = FieldChecker(limits: limits)
        let ticket = check.text(ticketId, "ticketId")
        let agent = check.text(agentId, "agentId")
        let taken = check.instant(takenAt, "takenAt")
        let name = check.text(customer.name, "customer.name")
        let phone = check.mobile(customer.phone, "customer.phone")
        let member = check.text(customer.memberNumber, "customer.memberNumber", required: false)
        let delivery = check.address(address, prefix: "address.")
        let draftLines = check.skuLines(lines, "lines")
        let coupon = check.text(couponCode, "couponCode", required: false)
        var method: PaymentMethod?
        var reference: String?
        var amount: Money?
        switch payment.method {
        case "cashOnDelivery":
            method = .cashOnDelivery
            if payment.amountFen != nil { check.add("payment.amountFen", "must be absent for cash on delivery (the courier collects the OMS price)") }
        case "card":
            method = .card
            reference = check.text(payment.reference, "payment.reference")
            amount = check.fen(payment.amountFen, "payment.amountFen")
        default:
            check.add("payment.method", "must be one of cashOnDelivery, card")
        }
        for problem in invoice?.problems() ?? [] { check.add(problem.field, problem.reason) }
        return check.result {
            guard let ticket, let agent, let taken, let name, let phone, let delivery, let method else { return nil }
            if method == .card && (reference == nil || amount == nil) { return nil }
            // Phone customers are recognised by their number (keyed hash), the one identity they give.
            let key = hasher.customerKey(channel: "phone", account: member.map { "member:\($0)" } ?? phone)
            return OrderDraft(
                channel: .phone, channelOrderID: ticket, customer: Customer(customerKey: key, name: name, phone: phone, isMember: member != nil,
                                   personKey: hasher.personKey(phone: phone, memberNumber: member)),
                deliveryAddress: delivery, lines: draftLines, pricing: .oms, couponCode: coupon,
                payment: Payment(method: method, reference: reference, paidAmount: amount ?? .zero, paidAt: method == .card ? taken : nil),
                claimedTotal: amount, placedAt: taken, source: ["agentId": agent], invoice: invoice
            )
        }
    }
}
