import OMSDomain

/// Prices an order deterministically in integer fen and explains every discount.
///
/// Order of application (stacking order):
/// 1. unit price: member price for members where one exists, else list price;
/// 2. buy-X-get-Y gift lines (price zero);
/// 3. percentage discounts per line (SKU or category scope), rounded half up to the fen; at most
///    one percentage promotion per line, the largest;
/// 4. spend-threshold reductions on the eligible subtotal after step 3, by priority; an exclusive
///    one stops later order-level promotions;
/// 5. the coupon, if its minimum spend is met and stacking allows;
/// 6. shipping fee, free at or above the threshold on the discounted goods total.
///
/// Every order-level discount is allocated back to the lines it applied to in proportion to their
/// net amounts (largest remainder), so `line.allocatedDiscount` is exact and refunds of a single
/// line are correct. Invariant: no line's discount exceeds its total; totals never go negative.
public struct PricingEngine: Sendable {
    public struct LineInput: Sendable, Hashable {
        public var sku: String
        public var category: String
        public var quantity: Int
        public var listPrice: Money
        public var memberPrice: Money?

        public init(sku: String, category: String, quantity: Int, listPrice: Money, memberPrice: Money? = nil) {
            self.sku = sku
            self.category = category
            self.quantity = quantity
            self.listPrice = listPrice
            self.memberPrice = memberPrice
        }
    }

    /// One promotion or coupon that changed the price, with the amount and lines it touched.
    public struct AppliedDiscount: Codable, Sendable, Hashable {
        public var promotionID: String
        public var description: String
        public var amount: Money
        /// Line numbers the amount was allocated to.
        public var lines: [Int]
        /// Spend required (threshold promotions, coupons with a minimum spend); nil otherwise.
        public var threshold: Money? = nil
        /// Reduction per full threshold of a repeating promotion.
        public var reductionPerThreshold: Money? = nil
        /// The amount's split over `lines`, in the same order.
        public var shares: [Money] = []
    }

    public struct Result: Sendable {
        public var lines: [OrderLine]
        public var applied: [AppliedDiscount]
        public var shippingFee: Money
        public var goodsTotal: Money { lines.reduce(Money.zero) { $0 + $1.lineTotal } }
        public var discountTotal: Money { lines.reduce(Money.zero) { $0 + $1.allocatedDiscount } }
        public var total: Money { goodsTotal - discountTotal + shippingFee }
    }

    /// Promotions on offer; those limited to other channels are skipped per order.
    public var promotions: [Promotion]
    public var shipping: ShippingRule

    public init(promotions: [Promotion], shipping: ShippingRule) {
        self.promotions = promotions
        self.shipping = shipping
    }

    public func price(lines input: [LineInput], channel: Channel, isMember: Bool, coupon: Coupon?) -> Result {
        let active = promotions.filter { $0.channels.isEmpty || $0.channels.contains(channel) }.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        var lines: [OrderLine] = []
        var categories: [Int: String] = [:]
        for (index, line) in input.enumerated() {
            let unit = isMember ? (line.memberPrice ?? line.listPrice) : line.listPrice
            lines.append(OrderLine(lineNumber: index + 1, sku: line.sku, quantity: line.quantity, unitPrice: unit, category: line.category))
            categories[index + 1] = line.category
        }
        var applied: [AppliedDiscount] = []

        // 2. Gifts.
        for promotion in active {
            guard case .buyXGetY(let sku, let buy, let giftSKU, let giftQuantity) = promotion.kind, buy > 0, giftQuantity > 0 else { continue }
            let bought = lines.filter { $0.sku == sku && !$0.isGift }.reduce(0) { $0 + $1.quantity }
            let multiples = bought / buy
            guard multiples > 0 else { continue }
            let number = lines.count + 1
            lines.append(OrderLine(lineNumber: number, sku: giftSKU, quantity: multiples * giftQuantity, unitPrice: .zero, isGift: true, category: "gift"))
            categories[number] = "gift"
            applied.append(AppliedDiscount(promotionID: promotion.id, description: "\(promotion.name): \(multiples * giftQuantity) x \(giftSKU) free", amount: .zero, lines: [number]))
        }

        // 3. Percentage discounts, the best one per line.
        var best: [Int: (promotion: Promotion, percent: Int)] = [:]
        for promotion in active {
            guard case .percentageOff(let percent, let scope) = promotion.kind, (1...99).contains(percent) else { continue }
            for line in lines where !line.isGift && scope.matches(sku: line.sku, category: categories[line.lineNumber] ?? "") {
                if (best[line.lineNumber]?.percent ?? 0) < percent { best[line.lineNumber] = (promotion, percent) }
            }
        }
        var byPromotion: [String: (promotion: Promotion, amount: Int64, lines: [Int], shares: [Money])] = [:]
        for (number, choice) in best.sorted(by: { $0.key < $1.key }) {
            let index = number - 1
            let total = lines[index].lineTotal.minorUnits
            let discount = (total * Int64(choice.percent) + 50) / 100
            lines[index].allocatedDiscount = lines[index].allocatedDiscount + .fen(discount)
            byPromotion[choice.promotion.id, default: (choice.promotion, 0, [], [])].amount += discount
            byPromotion[choice.promotion.id]!.lines.append(number)
            byPromotion[choice.promotion.id]!.shares.append(.fen(discount))
        }
        for (_, entry) in byPromotion.sorted(by: { ($0.value.promotion.priority, $0.key) < ($1.value.promotion.priority, $1.key) }) {
            guard case .percentageOff(let percent, _) = entry.promotion.kind else { continue }
            applied.append(AppliedDiscount(promotionID: entry.promotion.id, description: "\(entry.promotion.name): \(percent)% off", amount: .fen(entry.amount), lines: entry.lines,
                                           shares: entry.shares))
        }

        // 4. Spend thresholds.
        var blocked = false
        for promotion in active where !blocked {
            guard case .spendThreshold(let threshold, let reduction, let repeating, let scope) = promotion.kind,
                  threshold.minorUnits > 0, reduction.minorUnits > 0 else { continue }
            let eligible = lines.filter { !$0.isGift && scope.matches(sku: $0.sku, category: categories[$0.lineNumber] ?? "") }
            let subtotal = eligible.reduce(Int64(0)) { $0 + $1.paidAmount.minorUnits }
            guard subtotal >= threshold.minorUnits else { continue }
            let times = repeating ? subtotal / threshold.minorUnits : 1
            // Never more than the eligible goods; a product that would overflow is capped the same way
            // (a 1-fen threshold repeated over a large basket; found by fuzzing).
            let (product, overflow) = reduction.minorUnits.multipliedReportingOverflow(by: times)
            let amount = overflow ? subtotal : min(product, subtotal)
            let shares = allocate(amount, over: eligible.map(\.lineNumber), in: &lines)
            let rule = repeating ? "每满\(threshold)减\(reduction) x\(times)" : "满\(threshold)减\(reduction)"
            applied.append(AppliedDiscount(promotionID: promotion.id, description: "\(promotion.name): \(rule)", amount: .fen(amount), lines: eligible.map(\.lineNumber),
                                           threshold: threshold, reductionPerThreshold: repeating ? reduction : nil, shares: shares))
            if promotion.exclusive { blocked = true }
        }

        // 5. Coupon.
        if let coupon, !blocked, coupon.stackable || !applied.contains(where: { $0.amount.minorUnits > 0 && !isLineLevel($0.promotionID) }) {
            let eligible = lines.filter { !$0.isGift }
            let subtotal = eligible.reduce(Int64(0)) { $0 + $1.paidAmount.minorUnits }
            if subtotal >= coupon.minimumSpend.minorUnits, subtotal > 0 {
                let amount: Int64 = switch coupon.value {
                case .amountOff(let money): min(money.minorUnits, subtotal)
                case .percentOff(let percent): (subtotal * Int64(min(max(percent, 0), 100)) + 50) / 100
                }
                if amount > 0 {
                    let shares = allocate(amount, over: eligible.map(\.lineNumber), in: &lines)
                    applied.append(AppliedDiscount(promotionID: "coupon:\(coupon.code)", description: "coupon \(coupon.code)", amount: .fen(amount), lines: eligible.map(\.lineNumber),
                                                   threshold: coupon.minimumSpend.minorUnits > 0 ? coupon.minimumSpend : nil, shares: shares))
                }
            }
        }

        // 6. Shipping.
        let net = lines.reduce(Money.zero) { $0 + $1.paidAmount }
        let fee = shipping.freeOver.map { net >= $0 } == true ? Money.zero : shipping.fee
        return Result(lines: lines, applied: applied, shippingFee: fee)
    }

    private func isLineLevel(_ promotionID: String) -> Bool {
        promotions.first { $0.id == promotionID }.map { if case .percentageOff = $0.kind { true } else { false } } ?? false
    }

    /// Splits `amount` over the lines in proportion to their current net amounts; returns the parts.
    @discardableResult
    private func allocate(_ amount: Int64, over numbers: [Int], in lines: inout [OrderLine]) -> [Money] {
        let weights = numbers.map { lines[$0 - 1].paidAmount.minorUnits }
        let parts = Money.fen(amount).allocate(proportionalTo: weights)
        for (number, part) in zip(numbers, parts) {
            lines[number - 1].allocatedDiscount = lines[number - 1].allocatedDiscount + part
        }
        return parts
    }
}
