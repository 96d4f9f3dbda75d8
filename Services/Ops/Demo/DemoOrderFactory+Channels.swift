import Foundation
import OMSDemo
import OMSDomain
import IntakeService
import OMSPlatform

/// Orders for every channel in its native format, for the load generator: SKUs drawn by a Zipf
/// popularity, deliveries over twelve provinces, members and coupons-free promotions priced exactly
/// as the workers price them (so every claimed payment matches), and on request an order risk
/// review will hold (a phone cash-on-delivery order over the COD limit).
/// Invariant: the same (channel, run, number, options) always gives the same body.
extension DemoOrderFactory {
    /// What `order(...)` needs besides the channel and number.
    public struct LoadOptions: Sendable {
        public var popularity: ZipfDistribution?
        /// Make this order one that risk review holds (phone cash on delivery over the limit).
        public var holdForReview: Bool
        public init(popularity: ZipfDistribution? = nil, holdForReview: Bool = false) {
            self.popularity = popularity
            self.holdForReview = holdForReview
        }
    }

    /// Where a generated order goes and what to expect of it.
    public struct ChannelOrder: Sendable {
        public var channel: Channel
        public var path: String
        public var channelOrderID: String
        public var body: [UInt8]
        public var expectedTotal: Money
        /// Till sales are handed over in the store: no parcel, no shipment.
        public var ships: Bool
        public var heldForReview: Bool
    }

    static let places = [("上海市", "上海市", "浦东新区", "200120"), ("北京市", "北京市", "朝阳区", "100022"), ("广东省", "广州市", "天河区", "510620"),
                         ("浙江省", "杭州市", "西湖区", "310012"), ("四川省", "成都市", "武侯区", "610041"), ("湖北省", "武汉市", "洪山区", "430070"),
                         ("江苏省", "南京市", "鼓楼区", "210008"), ("广东省", "深圳市", "南山区", "518057"), ("山东省", "青岛市", "市南区", "266001"),
                         ("陕西省", "西安市", "雁塔区", "710061"), ("辽宁省", "沈阳市", "和平区", "110001"), ("福建省", "厦门市", "思明区", "361001")]

    public func order(channel: Channel, run: String, number n: Int, options: LoadOptions = LoadOptions()) throws -> ChannelOrder {
        var state = (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15 &+ channel.rawValue.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }) | 1
        func next(_ bound: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(bound))
        }
        func uniform() -> Double { Double(next(1 << 30)) / Double(1 << 30) }
        let ranked = productsByPopularity
        var picked: [Product] = []
        if options.holdForReview {
            // The dearest goods until the total passes the cash-on-delivery limit (2,000 yuan).
            var total: Int64 = 0
            for product in ranked.sorted(by: { $0.listPrice.minorUnits > $1.listPrice.minorUnits }) where total <= 200_000 {
                picked.append(product)
                total += product.listPrice.minorUnits * 2
            }
        } else {
            let lineCount = 1 + next(3)
            while picked.count < lineCount {
                let index = options.popularity.map { $0.sample(uniform()) % ranked.count } ?? next(ranked.count)
                if !picked.contains(where: { $0.sku == ranked[index].sku }) { picked.append(ranked[index]) }
            }
        }
        let quantities = picked.map { _ in options.holdForReview ? 2 : 1 + next(2) }
        let place = Self.places[next(Self.places.count)]
        // Shoppers differ between runs (risk's velocity rules count phones, accounts and addresses
        // over hours): every identity mixes the run into the number.
        let shopper = (run.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 } &+ UInt64(n) &* 2654435761) % 90_000_000
        let phone = ["139", "138", "186", "150"][n % 4] + String(String(10_000_000 + shopper).suffix(8))
        let member = n % 3 == 0
        let street = "人民路 \(shopper % 999 + 1) 号 \(shopper / 999 % 60 + 1) 室"
        let id: String
        var object: [String: Any]
        let sendChannel = options.holdForReview ? Channel.phone : channel
        switch sendChannel {
        case .web:
            id = "W-\(run)-\(n)"
            object = ["orderNumber": id, "placedAt": "2026-11-11T00:00:00+08:00",
                      "customer": ["accountId": "acct-\(run)-\(n)", "name": "顾客\(n % 1_000)", "phone": phone, "member": member],
                      "shippingAddress": ["province": place.0, "city": place.1, "district": place.2, "street": street, "postalCode": place.3],
                      "lines": zip(picked, quantities).map { ["sku": $0.sku, "quantity": $1] },
                      "payment": ["method": "card", "reference": "pay-\(run)-\(n)", "amountFen": 0, "paidAt": "2026-11-11T00:00:30+08:00"]]
        case .miniprogram:
            id = "MP-\(run)-\(n)"
            object = ["appid": "wx8a7c6b5d4e3f2a10", "outTradeNo": id, "openid": "o-\(run)-\(n)", "createTime": "2026-11-11T08:30:00+08:00",
                      "receiver": ["name": "顾客\(n % 1_000)", "phone": phone, "province": place.0, "city": place.1, "district": place.2, "detail": street, "postalCode": place.3],
                      "goods": zip(picked, quantities).map { ["skuId": $0.sku, "count": $1] }, "member": member,
                      "wechatPay": ["transaction_id": "42000\(run)\(n)", "total_fee": 0, "time_end": "20261111083012"]]
        case .marketplace:
            id = "T-\(run)-\(n)"
            let items: [[String: Any]] = zip(picked, quantities).map { product, quantity in
                ["outer_sku_id": product.outerIDs["marketplace"] ?? product.sku, "num": quantity,
                 "price": Self.yuan(product.listPrice.minorUnits), "discount_fee": "0.00"]
            }
            let paid = zip(picked, quantities).reduce(Int64(0)) { $0 + $1.0.listPrice.minorUnits * Int64($1.1) }
            object = ["platform": "tmall", "tid": id, "buyer_nick": "买家\(shopper)", "receiver_name": "顾客\(n % 1_000)", "receiver_mobile": phone,
                      "receiver_state": place.0, "receiver_city": place.1, "receiver_district": place.2, "receiver_address": street, "receiver_zip": place.3,
                      "items": items, "payment": Self.yuan(paid), "post_fee": "0.00", "alipay_no": "2026111122\(run)\(n)",
                      "pay_time": "2026-11-11 00:00:05", "created": "2026-11-11 00:00:01"]
        case .phone:
            id = options.holdForReview ? "CS-\(run)-H\(n)" : "CS-\(run)-\(n)"
            object = ["ticketId": id, "agentId": "agent-\(n % 40)", "takenAt": "2026-11-11T09:12:00+08:00",
                      "customer": ["name": "顾客\(n % 1_000)", "phone": phone],
                      "address": ["province": place.0, "city": place.1, "district": place.2, "street": street, "postalCode": place.3],
                      "lines": zip(picked, quantities).map { ["sku": $0.sku, "quantity": $1] }, "payment": ["method": "cashOnDelivery"]]
        case .pos:
            id = "POS-\(run)-\(n)"
            object = ["storeId": "SH-0021", "tillId": "T\(n % 8)", "cashierId": "C\(n % 30)", "receiptNo": id, "soldAt": "2026-11-11T10:15:00+08:00",
                      "items": zip(picked, quantities).map { ["barcode": $0.barcodes[0], "quantity": $1] },
                      // Every other sale is paid in cash, which leaves no payment reference.
                      "tender": n % 2 == 0 ? ["method": "cash", "amountFen": 0] : ["method": "card", "reference": "AUTH-\(run)-\(n)", "amountFen": 0]]
        }
        let total: Money
        switch sendChannel {
        case .web: total = try price(WebOrderPayload.self, object)
        case .miniprogram: total = try price(MiniProgramOrderPayload.self, object)
        case .marketplace: total = try price(MarketplaceOrderPayload.self, object)
        case .phone: total = try price(PhoneOrderPayload.self, object)
        case .pos: total = try price(PosSalePayload.self, object)
        }
        switch sendChannel {
        case .web: object["payment"] = (object["payment"] as! [String: Any]).merging(["amountFen": total.minorUnits]) { $1 }
        case .miniprogram: object["wechatPay"] = (object["wechatPay"] as! [String: Any]).merging(["total_fee": total.minorUnits]) { $1 }
        case .pos: object["tender"] = (object["tender"] as! [String: Any]).merging(["amountFen": total.minorUnits]) { $1 }
        case .marketplace: object["payment"] = Self.yuan(total.minorUnits)
        case .phone: break
        }
        return ChannelOrder(channel: sendChannel, path: "/v1/channels/\(sendChannel.rawValue)/orders", channelOrderID: id,
                            body: Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])),
                            expectedTotal: total, ships: sendChannel != .pos, heldForReview: options.holdForReview)
    }

    /// Products in popularity order (rank 0 most popular): a fixed shuffle of the non-perishable
    /// demo catalog, so popularity is not alphabetical by category.
    var productsByPopularity: [Product] {
        products.enumerated().sorted { ($0.offset &* 7_919) % products.count < ($1.offset &* 7_919) % products.count }.map(\.element)
    }

    static func yuan(_ fen: Int64) -> String { String(format: "%d.%02d", fen / 100, fen % 100) }

    /// What the workers will charge for this payload (the channel's claimed amount is ignored).
    func price<P: ChannelPayload>(_ type: P.Type, _ object: [String: Any]) throws -> Money {
        let draft = try JSONDecoder().decode(P.self, from: JSONSerialization.data(withJSONObject: object))
            .normalize(limits: IntakeLimits(), hasher: hasher).get()
        guard case .accepted(let order, _, _) = assembler.assemble(orderID: "x", draft: OrderDraft(
            channel: draft.channel, channelOrderID: draft.channelOrderID, customer: draft.customer, deliveryAddress: draft.deliveryAddress,
            lines: draft.lines, pricing: draft.pricing, couponCode: draft.couponCode, payment: draft.payment, claimedTotal: nil, placedAt: draft.placedAt),
            catalog: catalog, promotions: promotions, coupon: nil) else {
            throw PayloadRejected(issues: [FieldIssue("lines", "generated \(P.channel.rawValue) order does not price")])
        }
        return order.total
    }
}
