import OMSDomain

/// Computes a refund from what the customer actually paid. Pure. Rules:
/// - a line's units refund their share of `paidAmount` (line price minus the discounts intake
///   allocated to it); shares are cumulative, so refunding all units of a line returns exactly
///   what was paid for it, however the units were split over returns;
/// - units inspected as `used` are withheld when the customer, not the merchant, caused the return;
/// - a threshold promotion ("满300减50", coupon minimum spend) that the kept goods no longer reach
///   is clawed back: the kept units lose their share of it (less what a repeating promotion still
///   grants), once, whatever the number of returns; when those units come back later the
///   clawback is returned with them (a negative clawback);
/// - original shipping is refunded with the last units of a merchant-fault return;
/// - the refund is never negative and all refunds of an order never exceed what was paid.
struct RefundCalculator: Sendable {
    /// The order's side: its lines, promotions in the order intake applied them, and what was paid.
    struct OrderFacts: Sendable {
        var lines: [OrderLine]
        var promotions: [AppliedPromotion]
        var shippingFee: Money
        var paid: Money
    }

    /// What earlier refunds of the same order already gave back.
    struct History: Sendable {
        var refundedUnits: [Int: Int] = [:]
        var clawedBack: [String: Money] = [:]
        var shippingRefunded = false
        var refundedTotal = Money.zero
    }

    struct Refund: Equatable, Sendable {
        var lines: [RefundLine]
        var clawbacks: [PromotionClawback]
        var shippingFeeRefunded: Money
        var withheldUnits: Int
        var amount: Money
    }

    var order: OrderFacts

    func refund(reason: ReturnAuthorization.Reason, received: [InspectedItem], history: History) -> Refund {
        let byNumber = Dictionary(uniqueKeysWithValues: order.lines.map { ($0.lineNumber, $0) })
        var refundedUnits = history.refundedUnits
        var lines: [RefundLine] = []
        var withheld = 0
        for lineNumber in Set(received.map(\.lineNumber)).sorted() {
            guard let line = byNumber[lineNumber] else { continue }
            let items = received.filter { $0.lineNumber == lineNumber }
            let refusedUnits = reason.isMerchantFault ? 0 : items.filter { $0.condition == .used }.reduce(0) { $0 + $1.quantity }
            let before = refundedUnits[lineNumber] ?? 0
            let units = min(items.reduce(0) { $0 + $1.quantity } - refusedUnits, line.quantity - before)
            withheld += refusedUnits
            guard units > 0 else { continue }
            let amount = Self.share(of: line.paidAmount, units: before + units, of: line.quantity) - Self.share(of: line.paidAmount, units: before, of: line.quantity)
            refundedUnits[lineNumber] = before + units
            lines.append(RefundLine(lineNumber: lineNumber, sku: line.sku, quantity: units, amount: amount))
        }

        let kept = Dictionary(uniqueKeysWithValues: order.lines.map { ($0.lineNumber, $0.quantity - (refundedUnits[$0.lineNumber] ?? 0)) })
        var clawbacks: [PromotionClawback] = []
        var before: [Int: Money] = [:]  // discounts applied before the promotion being looked at
        for promotion in order.promotions {
            let shares = Dictionary(promotion.shares?.map { ($0.lineNumber, $0.amount) } ?? [], uniquingKeysWith: +)
            defer { for (number, share) in shares { before[number] = (before[number] ?? .zero) + share } }
            guard let threshold = promotion.threshold, !lines.isEmpty else { continue }
            var remaining = Money.zero, keptShare = Money.zero
            for number in promotion.lines {
                guard let line = byNumber[number], let keptUnits = kept[number] else { continue }
                remaining = remaining + Self.share(of: line.lineTotal - (before[number] ?? .zero), units: keptUnits, of: line.quantity)
                keptShare = keptShare + Self.share(of: shares[number] ?? .zero, units: keptUnits, of: line.quantity)
            }
            let stillGranted: Money = if remaining < threshold {
                .zero
            } else if let reduction = promotion.reductionPerThreshold {
                Money.fen(min(reduction.minorUnits * (remaining.minorUnits / threshold.minorUnits), remaining.minorUnits))
            } else {
                keptShare
            }
            // Negative when units that were kept at full price come back: the earlier clawback is returned.
            let owed = Money.fen(max(0, (keptShare - stillGranted).minorUnits) - (history.clawedBack[promotion.promotionID]?.minorUnits ?? 0))
            if owed.minorUnits != 0 { clawbacks.append(PromotionClawback(promotionID: promotion.promotionID, amount: owed)) }
        }

        let goods = lines.reduce(Money.zero) { $0 + $1.amount }
        // A clawback never turns the refund into a charge: cap it at the goods refunded now.
        var budget = goods
        clawbacks = clawbacks.compactMap { clawback in
            guard clawback.amount.minorUnits > 0 else { return clawback }
            let taken = Money.fen(min(clawback.amount.minorUnits, budget.minorUnits))
            budget = budget - taken
            return taken.minorUnits > 0 ? PromotionClawback(promotionID: clawback.promotionID, amount: taken) : nil
        }
        let everythingBack = kept.values.allSatisfy { $0 == 0 }
        let shipping = reason.isMerchantFault && everythingBack && !history.shippingRefunded && !lines.isEmpty ? order.shippingFee : .zero
        var amount = goods - clawbacks.reduce(Money.zero) { $0 + $1.amount } + shipping
        let left = order.paid - history.refundedTotal
        if amount > left { amount = Money.fen(max(0, left.minorUnits)) }
        return Refund(lines: lines, clawbacks: clawbacks, shippingFeeRefunded: shipping, withheldUnits: withheld, amount: amount)
    }

    /// `units` of `quantity` units' part of `total`, rounded down; `quantity` of them is exactly `total`.
    static func share(of total: Money, units: Int, of quantity: Int) -> Money {
        guard quantity > 0 else { return .zero }
        return Money.fen(total.minorUnits * Int64(units) / Int64(quantity))
    }
}
