import Foundation
import OMSDomain
import OMSPlatform

/// A sale rung up at a store till: store, till, cashier and receipt number, the EAN-13 barcodes
/// scanned with quantities, an optional loyalty card, and the tender taken. Amounts are integer fen.
/// The goods leave with the customer, so there is no delivery address.
public struct PosSalePayload: ChannelPayload {
    public struct ScannedItem: Codable, Sendable {
        public var barcode: String
        public var quantity: Int

        public init(barcode: String, quantity: Int) {
            self.barcode = barcode
            self.quantity = quantity
        }
    }

    public struct Tender: Codable, Sendable {
        /// cash | card | wechatPay | alipay
        public var method: String
        /// Card authorisation or wallet transaction id; not needed for cash.
        public var reference: String?
        public var amountFen: Int64
    }

    public static let channel = Channel.pos

    public var storeId: String
    public var tillId: String
    public var cashierId: String
    public var receiptNo: String
    /// ISO 8601 with an offset, e.g. "2026-11-11T10:15:00+08:00".
    public var soldAt: String
    /// Loyalty card number; members get member prices.
    public var memberCard: String?
    public var items: [ScannedItem]
    public var couponCode: String?
    public var tender: Tender

    public func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected> {
        var check = FieldChecker(limits: limits)
        let store = check.text(storeId, "storeId"), till = check.text(tillId, "tillId")
        let cashier = check.text(cashierId, "cashierId"), receipt = check.text(receiptNo, "receiptNo")
        let soldAt = check.instant(soldAt, "soldAt")
        let card = check.text(memberCard, "memberCard", required: false)
        let coupon = check.text(couponCode, "couponCode", required: false)
        check.lineCount(items.count, "items")
        var lines: [OrderDraft.Line] = []
        for (index, item) in items.enumerated() {
            let quantityOK = check.quantity(item.quantity, "items[\(index)].quantity")
            guard Product.isValidEAN13(item.barcode) else {
                check.add("items[\(index)].barcode", "must be a 13-digit EAN-13 barcode with a valid check digit")
                continue
            }
            if quantityOK { lines.append(OrderDraft.Line(reference: .barcode(item.barcode), quantity: item.quantity)) }
        }
        let method: PaymentMethod? = switch tender.method {
        case "cash": .cashAtTill
        case "card": .card
        case "wechatPay": .wechatPay
        case "alipay": .alipay
        default: nil
        }
        if method == nil { check.add("tender.method", "must be one of cash, card, wechatPay, alipay") }
        let reference = check.text(tender.reference, "tender.reference", required: method != .cashAtTill && method != nil)
        let amount = check.fen(tender.amountFen, "tender.amountFen")
        return check.result {
            guard let store, let till, let cashier, let receipt, let soldAt, let method, let amount else { return nil }
            let key = card.map { hasher.customerKey(channel: "pos-member", account: $0) } ?? "anonymous"
            return OrderDraft(
                channel: .pos, channelOrderID: "\(store):\(till):\(receipt)",
                customer: Customer(customerKey: key, name: "", phone: "", isMember: card != nil, personKey: hasher.personKey(phone: nil, memberNumber: card)), deliveryAddress: nil, lines: lines,
                pricing: .oms, couponCode: coupon, payment: Payment(method: method, reference: reference, paidAmount: amount, paidAt: soldAt),
                claimedTotal: amount, placedAt: soldAt, source: ["storeId": store, "tillId": till, "cashierId": cashier]
            )
        }
    }
}
