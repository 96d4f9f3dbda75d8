import Foundation
import OMSDomain
import OMSPlatform

/// A Taobao/JD-style order as a marketplace pushes it: platform order id, buyer nickname, receiver
/// name/phone/address parts, the seller's outer SKU ids, amounts as decimal yuan strings and times
/// as "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai. Field names follow the platforms' snake_case.
/// The platform prices and collects: its amounts are recorded as sent, after checking they add up.
public struct MarketplaceOrderPayload: ChannelPayload {
    public struct Item: Codable, Sendable {
        public var outer_sku_id: String
        public var num: Int
        /// Unit price, decimal yuan, e.g. "199.00".
        public var price: String
        /// Platform-funded discount on this line, decimal yuan.
        public var discount_fee: String?
        /// The platform's sub-order id of this line (Taobao/Tmall `oid`), used to report split shipments.
        public var oid: String?
    }

    public static let channel = Channel.marketplace

    public var platform: String
    public var tid: String
    public var buyer_nick: String
    public var receiver_name: String
    public var receiver_mobile: String
    public var receiver_state: String
    public var receiver_city: String
    public var receiver_district: String
    public var receiver_address: String
    public var receiver_zip: String?
    public var items: [Item]
    /// Amount the buyer paid, decimal yuan.
    public var payment: String
    public var post_fee: String?
    /// The platform's payment serial (e.g. an Alipay trade number).
    public var alipay_no: String?
    /// "express" when the buyer chose an express service.
    public var shipping_type: String?
    public var pay_time: String
    public var created: String

    public func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected> {
        var check = FieldChecker(limits: limits)
        let platform = check.text(platform, "platform")
        let tid = check.text(tid, "tid")
        let nick = check.text(buyer_nick, "buyer_nick")
        let name = check.text(receiver_name, "receiver_name")
        let mobile = check.mobile(receiver_mobile, "receiver_mobile")
        let address = check.address(province: receiver_state, city: receiver_city, district: receiver_district, street: receiver_address,
                                    postalCode: receiver_zip, prefix: "", names: ("receiver_state", "receiver_city", "receiver_district", "receiver_address", "receiver_zip"))
        check.lineCount(items.count, "items")
        var lines: [OrderDraft.Line] = []
        var expected: Int64 = 0
        for (index, item) in items.enumerated() {
            let path = "items[\(index)]"
            let sku = check.text(item.outer_sku_id, "\(path).outer_sku_id")
            let quantityOK = check.quantity(item.num, "\(path).num")
            let price = check.yuan(item.price, "\(path).price")
            let discount = check.yuan(item.discount_fee ?? "0", "\(path).discount_fee")
            let oid = item.oid.flatMap { check.text($0, "\(path).oid") }
            guard let sku, quantityOK, let price, let discount else { continue }
            let lineTotal = price.minorUnits * Int64(item.num)
            if discount.minorUnits > lineTotal {
                check.add("\(path).discount_fee", "exceeds the line total")
                continue
            }
            expected += lineTotal - discount.minorUnits
            lines.append(OrderDraft.Line(reference: .outerID(sku), quantity: item.num, channelUnitPrice: price, channelDiscount: discount, channelLineID: oid))
        }
        let paid = check.yuan(payment, "payment")
        let shipping = check.yuan(post_fee ?? "0", "post_fee")
        let paidAt = ShanghaiTime.parse(pay_time)
        if paidAt == nil { check.add("pay_time", "must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai)") }
        let placedAt = ShanghaiTime.parse(created)
        if placedAt == nil { check.add("created", "must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai)") }
        if let paid, let shipping, check.issues.isEmpty, expected + shipping.minorUnits != paid.minorUnits {
            check.add("payment", "does not equal item totals - discounts + post_fee")
        }
        return check.result {
            guard let platform, let tid, let nick, let name, let mobile, let paid, let shipping, let paidAt, let placedAt else { return nil }
            let customer = Customer(customerKey: hasher.customerKey(channel: "marketplace:\(platform)", account: nick), name: name, phone: mobile,
                                    personKey: hasher.personKey(phone: mobile, memberNumber: nil))
            return OrderDraft(
                channel: .marketplace, channelOrderID: "\(platform):\(tid)", customer: customer, deliveryAddress: address, lines: lines,
                pricing: .channel, payment: Payment(method: .marketplace, reference: alipay_no ?? "\(platform):\(tid)", paidAmount: paid, paidAt: paidAt),
                claimedTotal: paid, channelShippingFee: shipping, requestedService: shipping_type == "express" ? "express" : nil,
                placedAt: placedAt, source: ["platform": platform]
            )
        }
    }
}
