import Foundation
import OMSDomain
import OMSPlatform

/// An order from a WeChat-style mini-program: the shopper's openid (and unionid when the app is
/// bound to an open platform account), receiver details, goods, and the WeChat Pay notification
/// fields as WeChat names them (`transaction_id`, `total_fee` in fen, `time_end` as
/// "yyyyMMddHHmmss" Asia/Shanghai).
public struct MiniProgramOrderPayload: ChannelPayload {
    public struct Receiver: Codable, Sendable {
        public var name: String
        public var phone: String
        public var province: String
        public var city: String
        public var district: String
        public var detail: String
        public var postalCode: String?
    }

    public struct Goods: Codable, Sendable {
        public var skuId: String
        public var count: Int
    }

    public struct WeChatPay: Codable, Sendable {
        /// Required when paid.
        public var transaction_id: String?
        public var total_fee: Int64
        /// Required when paid.
        public var time_end: String?
        /// WeChat Pay's `trade_state`: SUCCESS (default), NOTPAY / USERPAYING (the order is sent
        /// before the payment: it awaits it), PAYERROR (the attempt failed: the customer is asked again).
        public var trade_state: String?
    }

    public static let channel = Channel.miniprogram

    public var appid: String
    public var outTradeNo: String
    public var openid: String
    public var unionid: String?
    /// ISO 8601 with an offset.
    public var createTime: String
    public var receiver: Receiver
    public var goods: [Goods]
    public var couponCode: String?
    /// The shop's device fingerprint for the shopper's browser or phone, if it has one.
    public var deviceId: String?
    /// Whether the shopper holds the retailer's member card in the mini-program.
    public var member: Bool?
    public var wechatPay: WeChatPay
    /// The buyer's 发票 request, as the web shop sends it.
    public var invoice: InvoiceRequest?

    public func normalize(limits: IntakeLimits, hasher: PIIHasher) -> Result<OrderDraft, PayloadRejected> {
        var check = FieldChecker(limits: limits)
        let app = check.text(appid, "appid")
        let trade = check.text(outTradeNo, "outTradeNo")
        let open = check.text(openid, "openid")
        let union = check.text(unionid, "unionid", required: false)
        let created = check.instant(createTime, "createTime")
        let name = check.text(receiver.name, "receiver.name")
        let phone = check.mobile(receiver.phone, "receiver.phone")
        let r = receiver
        let address = check.address(province: r.province, city: r.city, district: r.district, street: r.detail, postalCode: r.postalCode,
                                    prefix: "receiver.", names: ("province", "city", "district", "detail", "postalCode"))
        check.lineCount(goods.count, "goods")
        var lines: [OrderDraft.Line] = []
        for (index, item) in goods.enumerated() {
            let sku = check.text(item.skuId, "goods[\(index)].skuId")
            if check.quantity(item.count, "goods[\(index)].count"), let sku {
                lines.append(OrderDraft.Line(reference: .sku(sku), quantity: item.count))
            }
        }
        let coupon = check.text(couponCode, "couponCode", required: false)
        let device = check.text(deviceId, "deviceId", required: false)
        let state: PaymentStatus? = switch wechatPay.trade_state ?? "SUCCESS" {
        case "SUCCESS": .paid
        case "NOTPAY", "USERPAYING": .pending
        case "PAYERROR": .failed
        default: nil
        }
        if state == nil { check.add("wechatPay.trade_state", "must be one of SUCCESS, NOTPAY, USERPAYING, PAYERROR") }
        let awaiting = state != nil && state != .paid
        let transaction = awaiting ? nil : check.text(wechatPay.transaction_id ?? "", "wechatPay.transaction_id")
        let fee = check.fen(wechatPay.total_fee, "wechatPay.total_fee")
        let paidAt = awaiting ? nil : ShanghaiTime.parseCompact(wechatPay.time_end ?? "")
        if !awaiting, paidAt == nil { check.add("wechatPay.time_end", "must be yyyyMMddHHmmss (Asia/Shanghai)") }
        for problem in invoice?.problems() ?? [] { check.add(problem.field, problem.reason) }
        return check.result {
            guard let app, let trade, let open, let created, let name, let phone, let address, let fee, let state, awaiting || (transaction != nil && paidAt != nil) else { return nil }
            // The unionid identifies one person across the retailer's apps; prefer it when present.
            let account = union.map { "union:\($0)" } ?? "open:\(app):\(open)"
            let customer = Customer(customerKey: hasher.customerKey(channel: "wechat", account: account), name: name, phone: phone, isMember: member ?? false,
                                    personKey: hasher.personKey(phone: phone, memberNumber: nil))
            return OrderDraft(
                channel: .miniprogram, channelOrderID: "\(app):\(trade)", customer: customer, deliveryAddress: address, lines: lines,
                pricing: .oms, couponCode: coupon,
                payment: Payment(method: .wechatPay, reference: transaction, paidAmount: awaiting ? .zero : fee, paidAt: paidAt, status: awaiting ? state : nil),
                claimedTotal: fee, placedAt: created,
                source: ["appid": app].merging(device.map { ["deviceKey": hasher.hash($0, purpose: "device")] } ?? [:]) { first, _ in first },
                invoice: invoice
            )
        }
    }
}
