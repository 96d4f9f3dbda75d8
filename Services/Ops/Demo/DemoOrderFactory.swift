import Foundation
import OMSDemo
import OMSDomain
import IntakeService
import OMSPlatform

/// Builds realistic, correctly priced web-shop orders over the demo catalog, for tests,
/// benchmarks and the load generator. The claimed payment is computed with the same assembler the
/// workers use, so every generated order is accepted unless a test changes it.
public struct DemoOrderFactory: Sendable {
    public struct Generated: Sendable {
        public var channelOrderID: String
        public var body: [UInt8]
        public var expectedTotal: Money
    }

    let products: [Product]
    let assembler: OrderAssembler
    let promotions: [ScheduledPromotion]
    let catalog: [ReferenceKey: CatalogEntry]
    let hasher = PIIHasher(secret: "demo")
    static let provinces = [("上海市", "上海市", "浦东新区", "200120"), ("北京市", "北京市", "朝阳区", "100022"), ("广东省", "广州市", "天河区", "510620"),
                            ("浙江省", "杭州市", "西湖区", "310012"), ("四川省", "成都市", "武侯区", "610041"), ("湖北省", "武汉市", "洪山区", "430070")]

    public init(shipping: ShippingRule = ShippingRule(fee: .fen(1_000), freeOver: .fen(9_900))) {
        products = DemoCatalog.products.filter { !$0.handling.perishable }
        assembler = OrderAssembler(shipping: shipping)
        promotions = DemoPromotions.all.map { ScheduledPromotion(promotion: $0, startsAt: nil, endsAt: nil) }
        var entries: [ReferenceKey: CatalogEntry] = [:]
        for product in DemoCatalog.products {
            let entry = CatalogEntry(sku: product.sku, category: product.category, listPrice: product.listPrice, memberPrice: product.memberPrice)
            entries[ReferenceKey(kind: "sku", code: product.sku)] = entry
            for barcode in product.barcodes { entries[ReferenceKey(.barcode(barcode), channel: .pos)] = entry }
            for (_, outer) in product.outerIDs { entries[ReferenceKey(.outerID(outer), channel: .marketplace)] = entry }
        }
        catalog = entries
    }

    /// Order `n` of a run tagged `run`: 1-3 lines chosen deterministically from `n`, an optional coupon.
    public func webOrder(run: String, number n: Int, coupon: IssuedCoupon? = nil) throws -> Generated {
        var state = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next(_ bound: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(bound))
        }
        let lineCount = 1 + next(3)
        var skus: [String] = []
        while skus.count < lineCount {
            let sku = products[next(products.count)].sku
            if !skus.contains(sku) { skus.append(sku) }
        }
        let place = Self.provinces[next(Self.provinces.count)]
        let phone = "139" + String(String(10_000_000 + n % 90_000_000).suffix(8))
        let channelOrderID = "W-\(run)-\(n)"
        var object: [String: Any] = [
            "orderNumber": channelOrderID, "placedAt": "2026-11-11T00:00:00+08:00",
            "customer": ["accountId": "acct-\(n % 5_000)", "name": "顾客\(n % 1_000)", "phone": phone, "member": n % 3 == 0],
            "shippingAddress": ["province": place.0, "city": place.1, "district": place.2, "street": "人民路 \(n % 999 + 1) 号 \(n % 20 + 1) 室", "postalCode": place.3],
            "lines": skus.map { ["sku": $0, "quantity": 1 + next(2)] },
            "payment": ["method": "card", "reference": "pay-\(run)-\(n)", "amountFen": 0, "paidAt": "2026-11-11T00:00:30+08:00"],
        ]
        if let coupon { object["couponCode"] = coupon.coupon.code }
        let total = try total(ofWebOrder: object, coupon: coupon)
        var payment = object["payment"] as! [String: Any]
        payment["amountFen"] = total.minorUnits
        object["payment"] = payment
        return Generated(channelOrderID: channelOrderID, body: Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])), expectedTotal: total)
    }

    /// What intake prices a web order payload at with the demo catalog and promotions (its
    /// `payment.amountFen` is ignored), so a test or a load run can send the amount intake expects.
    public func total(ofWebOrder object: [String: Any], coupon: IssuedCoupon? = nil) throws -> Money {
        let draft = try JSONDecoder().decode(WebOrderPayload.self, from: JSONSerialization.data(withJSONObject: object))
            .normalize(limits: IntakeLimits(), hasher: hasher).get()
        guard case .accepted(let order, _, _) = assembler.assemble(orderID: "x", draft: OrderDraft(
            channel: draft.channel, channelOrderID: draft.channelOrderID, customer: draft.customer, deliveryAddress: draft.deliveryAddress,
            lines: draft.lines, pricing: .oms, couponCode: draft.couponCode, payment: draft.payment, claimedTotal: nil, placedAt: draft.placedAt),
            catalog: catalog, promotions: promotions, coupon: coupon) else {
            throw PayloadRejected(issues: [FieldIssue("lines", "demo order does not price")])
        }
        return order.total
    }
}
