import Foundation
import OMSDomain

/// Turns a draft into a priced canonical order, or the reasons it cannot be one. Pure: the catalog
/// entries, promotions and coupons are looked up by the caller. Invariant: an accepted order's
/// lines carry every discount allocated to them, and for OMS-priced channels its total equals what
/// the channel says the customer pays.
public struct OrderAssembler: Sendable {
    public enum Outcome: Sendable {
        case accepted(Order, applied: [AppliedPromotion], couponCode: String?)
        case rejected([RejectionReason])
    }

    public var shipping: ShippingRule

    public init(shipping: ShippingRule) {
        self.shipping = shipping
    }

    /// `soldOut` holds SKUs inventory reported sold out everywhere: the shop channels (web,
    /// mini-program, phone) refuse them up front; a till sale (goods in hand) and a marketplace
    /// order (already paid on the platform) are taken and backordered by inventory instead.
    /// A deposit-paid (presale) order is checked against its products' presale terms
    /// (`PresaleRule`); presale products, sold before their stock arrives, are never refused as sold out.
    public func assemble(orderID: String, draft: OrderDraft, catalog: [ReferenceKey: CatalogEntry], promotions: [ScheduledPromotion],
                         coupon: IssuedCoupon?, soldOut: Set<String> = []) -> Outcome {
        let outcome = priced(orderID: orderID, draft: draft, catalog: catalog, promotions: promotions, coupon: coupon, soldOut: soldOut)
        guard case .accepted(let order, _, _) = outcome, order.payment.status == .depositPaid else { return outcome }
        let terms = Dictionary(catalog.values.compactMap { entry in entry.presale.map { (entry.sku, $0) } }, uniquingKeysWith: { first, _ in first })
        let reasons = PresaleRule.problems(order: order, terms: terms, placedAt: draft.placedAt)
        return reasons.isEmpty ? outcome : .rejected(reasons)
    }

    private func priced(orderID: String, draft: OrderDraft, catalog: [ReferenceKey: CatalogEntry], promotions: [ScheduledPromotion],
                        coupon: IssuedCoupon?, soldOut: Set<String>) -> Outcome {
        var reasons: [RejectionReason] = []
        var entries: [CatalogEntry] = []
        for (index, line) in draft.lines.enumerated() {
            if let entry = catalog[ReferenceKey(line.reference, channel: draft.channel)] {
                entries.append(entry)
            } else {
                let what = switch line.reference {
                case .sku: "SKU"
                case .barcode: "barcode"
                case .outerID: "channel SKU id"
                }
                reasons.append(RejectionReason(code: "unknown_sku", message: "line \(index + 1): \(what) is not in the catalog or not active", lineNumber: index + 1))
            }
        }
        guard reasons.isEmpty else { return .rejected(reasons) }
        if Self.refusesSoldOut(draft.channel) {
            for (index, entry) in entries.enumerated() where soldOut.contains(entry.sku) && entry.presale == nil {
                reasons.append(RejectionReason(code: "sold_out", message: "line \(index + 1): SKU \(entry.sku) is sold out in every warehouse", lineNumber: index + 1))
            }
            guard reasons.isEmpty else { return .rejected(reasons) }
        }

        switch draft.pricing {
        case .channel:
            // The marketplace priced and collected: record its prices and discounts as sent.
            let lines = zip(draft.lines, entries).enumerated().map { index, pair in
                OrderLine(lineNumber: index + 1, sku: pair.1.sku, quantity: pair.0.quantity, unitPrice: pair.0.channelUnitPrice ?? pair.1.listPrice,
                          allocatedDiscount: pair.0.channelDiscount, category: pair.1.category, channelLineID: pair.0.channelLineID,
                          taxRateBasisPoints: pair.1.taxRateBasisPoints)
            }
            let discounted = lines.enumerated().filter { $0.element.allocatedDiscount.minorUnits > 0 }
            let applied = discounted.isEmpty ? [] : [AppliedPromotion(
                promotionID: "channel:\(draft.source["platform"] ?? draft.channel.rawValue)", description: "platform discount",
                amount: discounted.reduce(Money.zero) { $0 + $1.element.allocatedDiscount }, lines: discounted.map { $0.element.lineNumber },
                shares: discounted.map { AppliedPromotion.LineShare(lineNumber: $0.element.lineNumber, amount: $0.element.allocatedDiscount) })]
            return .accepted(order(orderID, draft, lines, shippingFee: draft.channelShippingFee ?? .zero), applied: applied, couponCode: nil)

        case .oms:
            var issued: Coupon?
            if let code = draft.couponCode {
                guard let coupon else {
                    return .rejected([RejectionReason(code: "unknown_coupon", message: "coupon does not exist")])
                }
                if let expiry = coupon.expiresAt, expiry <= draft.placedAt {
                    return .rejected([RejectionReason(code: "coupon_expired", message: "coupon \(code) expired before the order was placed")])
                }
                issued = coupon.coupon
            }
            let running = promotions.filter { $0.isRunning(at: draft.placedAt) }.map(\.promotion)
            // Carry-out sales (no delivery address) pay no shipping.
            let rule = draft.deliveryAddress == nil ? ShippingRule(fee: .zero, freeOver: nil) : shipping
            let engine = PricingEngine(promotions: running, shipping: rule)
            let inputs = zip(draft.lines, entries).map { line, entry in
                PricingEngine.LineInput(sku: entry.sku, category: entry.category, quantity: line.quantity, listPrice: entry.listPrice, memberPrice: entry.memberPrice)
            }
            let priced = engine.price(lines: inputs, channel: draft.channel, isMember: draft.customer.isMember, coupon: issued)
            let couponApplied = priced.applied.contains { $0.promotionID == "coupon:\(issued?.code ?? "")" }
            if let code = draft.couponCode, !couponApplied {
                return .rejected([RejectionReason(code: "coupon_not_applicable", message: "coupon \(code) does not apply to this order (minimum spend or stacking rules)")])
            }
            if let claimed = draft.claimedTotal, claimed != priced.total {
                return .rejected([RejectionReason(code: "amount_mismatch", message: "the channel charged \(claimed) but the order prices at \(priced.total)")])
            }
            let applied = priced.applied.map {
                AppliedPromotion(promotionID: $0.promotionID, description: $0.description, amount: $0.amount, lines: $0.lines, threshold: $0.threshold,
                                 reductionPerThreshold: $0.reductionPerThreshold,
                                 shares: zip($0.lines, $0.shares).map { AppliedPromotion.LineShare(lineNumber: $0, amount: $1) })
            }
            // Each line keeps its product's VAT rate at the time of sale, for its invoice.
            let rates = Dictionary(entries.map { ($0.sku, $0.taxRateBasisPoints) }, uniquingKeysWith: { first, _ in first })
            let lines = priced.lines.map { line in
                var stamped = line
                stamped.taxRateBasisPoints = rates[line.sku]
                return stamped
            }
            return .accepted(order(orderID, draft, lines, shippingFee: priced.shippingFee), applied: applied, couponCode: draft.couponCode)
        }
    }

    /// Channels whose customers are told at once that an item is sold out.
    public static func refusesSoldOut(_ channel: OMSDomain.Channel) -> Bool {
        channel == .web || channel == .miniprogram || channel == .phone
    }

    private func order(_ orderID: String, _ draft: OrderDraft, _ lines: [OrderLine], shippingFee: Money) -> Order {
        var payment = draft.payment
        if payment.method == .cashOnDelivery { payment.paidAmount = .zero }
        return Order(orderID: orderID, channel: draft.channel, channelOrderID: draft.channelOrderID, customer: draft.customer,
                     deliveryAddress: draft.deliveryAddress, lines: lines, shippingFee: shippingFee, payment: payment,
                     requestedService: draft.requestedService, deviceKey: draft.source["deviceKey"], placedAt: draft.placedAt, invoice: draft.invoice, pickupStoreID: draft.pickupStoreID)
    }
}
