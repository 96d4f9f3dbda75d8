import Foundation
import OMSDomain

/// A Taobao/JD-style order as a marketplace pushes it: platform order id, buyer nickname, receiver
/// name/phone/address parts, the seller's outer SKU ids, amounts as decimal yuan strings and times
/// as "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai. Field names follow the platforms' snake_case.
public struct MarketplaceOrderPayload: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var outer_sku_id: String
        public var num: Int
        /// Unit price, decimal yuan, e.g. "199.00".
        public var price: String
        /// Platform-funded discount on this line, decimal yuan.
        public var discount_fee: String?
    }

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
    public var pay_time: String
    public var created: String
}

/// The stateless part of intake for one channel: checks formats and turns the native payload into
/// a draft canonical order, or lists every field that is wrong. No database, no catalog: SKU
/// resolution and pricing happen in the intake workers.
/// Invariant: a draft has quantities > 0 and within `maxQuantity`, money in fen, UTC instants.
public struct MarketplaceNormalizer: Sendable {
    /// One line as the channel sent it: the channel's SKU reference and its own price.
    public struct DraftLine: Sendable, Equatable {
        public var channelSKU: String
        public var quantity: Int
        public var unitPrice: Money
        public var channelDiscount: Money
    }

    /// The canonical shape before catalog resolution and pricing.
    public struct Draft: Sendable {
        public var channel: Channel
        public var channelOrderID: String
        public var customer: Customer
        public var address: Address
        public var lines: [DraftLine]
        public var paid: Money
        public var shippingFee: Money
        public var paidAt: Date
        public var placedAt: Date
    }

    public var maxQuantity = 999
    public var maxLines = 200

    public init() {}

    /// Parses "yyyy-MM-dd HH:mm:ss" as Asia/Shanghai (UTC+8, no daylight saving) into a UTC instant.
    public static func parseShanghaiTime(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 19, b[4] == 45, b[7] == 45, b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        let iso = String(decoding: b[0..<10], as: UTF8.self) + "T" + String(decoding: b[11..<19], as: UTF8.self) + ".000Z"
        guard let asUTC = Timestamps.parse(iso), Timestamps.format(asUTC) == iso else { return nil }
        return asUTC.addingTimeInterval(-8 * 3_600)
    }

    public func normalize(_ payload: MarketplaceOrderPayload) -> Result<Draft, PayloadRejected> {
        var issues: [FieldIssue] = []
        func require(_ value: String, _ field: String) {
            if value.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(FieldIssue(field, "required")) }
        }
        require(payload.tid, "tid")
        require(payload.receiver_name, "receiver_name")
        require(payload.receiver_state, "receiver_state")
        require(payload.receiver_city, "receiver_city")
        require(payload.receiver_district, "receiver_district")
        require(payload.receiver_address, "receiver_address")
        if !Customer.isMainlandMobile(payload.receiver_mobile) {
            issues.append(FieldIssue("receiver_mobile", "must be an 11-digit mainland mobile number starting 13-19"))
        }
        let address = Address(province: payload.receiver_state, city: payload.receiver_city, district: payload.receiver_district,
                              street: payload.receiver_address, postalCode: payload.receiver_zip)
        if !address.hasValidPostalCode { issues.append(FieldIssue("receiver_zip", "must be six digits")) }
        if payload.items.isEmpty { issues.append(FieldIssue("items", "at least one item is required")) }
        if payload.items.count > maxLines { issues.append(FieldIssue("items", "at most \(maxLines) items")) }

        var lines: [DraftLine] = []
        for (index, item) in payload.items.enumerated() {
            let path = "items[\(index)]"
            if item.outer_sku_id.isEmpty { issues.append(FieldIssue("\(path).outer_sku_id", "required")) }
            if item.num <= 0 || item.num > maxQuantity { issues.append(FieldIssue("\(path).num", "must be between 1 and \(maxQuantity)")) }
            let price = Money(yuanString: item.price)
            if price == nil || price!.minorUnits < 0 { issues.append(FieldIssue("\(path).price", "must be a non-negative decimal yuan amount with at most 2 decimals")) }
            let discount = item.discount_fee.map { Money(yuanString: $0) } ?? .zero
            if discount == nil || discount!.minorUnits < 0 { issues.append(FieldIssue("\(path).discount_fee", "must be a non-negative decimal yuan amount with at most 2 decimals")) }
            if let price, let discount, item.num > 0, discount.minorUnits > price.minorUnits * Int64(item.num) {
                issues.append(FieldIssue("\(path).discount_fee", "exceeds the line total"))
            }
            if let price, let discount, item.num > 0, item.num <= maxQuantity {
                lines.append(DraftLine(channelSKU: item.outer_sku_id, quantity: item.num, unitPrice: price, channelDiscount: discount))
            }
        }
        let paid = Money(yuanString: payload.payment)
        if paid == nil || paid!.minorUnits < 0 { issues.append(FieldIssue("payment", "must be a non-negative decimal yuan amount with at most 2 decimals")) }
        let shipping = payload.post_fee.map { Money(yuanString: $0) } ?? .zero
        if shipping == nil || shipping!.minorUnits < 0 { issues.append(FieldIssue("post_fee", "must be a non-negative decimal yuan amount with at most 2 decimals")) }
        let paidAt = Self.parseShanghaiTime(payload.pay_time)
        if paidAt == nil { issues.append(FieldIssue("pay_time", "must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai)")) }
        let placedAt = Self.parseShanghaiTime(payload.created)
        if placedAt == nil { issues.append(FieldIssue("created", "must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai)")) }
        if let paid, let shipping, issues.isEmpty {
            let expected = lines.reduce(Int64(0)) { $0 + $1.unitPrice.minorUnits * Int64($1.quantity) - $1.channelDiscount.minorUnits } + shipping.minorUnits
            if expected != paid.minorUnits { issues.append(FieldIssue("payment", "does not equal item totals - discounts + post_fee")) }
        }
        guard issues.isEmpty, let paid, let shipping, let paidAt, let placedAt else { return .failure(PayloadRejected(issues: issues)) }
        let customer = Customer(customerKey: "\(payload.platform):\(payload.buyer_nick)", name: payload.receiver_name, phone: payload.receiver_mobile)
        return .success(Draft(channel: .marketplace, channelOrderID: "\(payload.platform):\(payload.tid)", customer: customer, address: address,
                              lines: lines, paid: paid, shippingFee: shipping, paidAt: paidAt, placedAt: placedAt))
    }
}

/// One invalid field of a channel payload, as the edge reports it in a 422 body.
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}

/// A channel payload refused at the edge, with every invalid field (becomes a 422 body).
public struct PayloadRejected: Error, Sendable, Equatable {
    public var issues: [FieldIssue]
}
