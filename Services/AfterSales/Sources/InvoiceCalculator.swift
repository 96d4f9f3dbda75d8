import OMSDomain

/// What an invoice lists. Blue: every line of the order at what the buyer paid for the units they
/// kept (less refunds settled before the invoice, with any discount those refunds took back added
/// to the kept units), plus the shipping fee kept. Red-letter: a refund's lines, shipping fee and
/// clawed-back discount, negative. Invariant: pure; a blue invoice's total is what was paid less
/// what was refunded before it; a red one's total is minus the refund's amount, to the fen.
enum InvoiceCalculator {
    /// VAT on goods (and on the delivery a retailer charges with its goods: 混合销售 is taxed at
    /// the goods' rate), for lines written before intake stamped a rate.
    static let defaultRate = 1300

    static func blueLines(order: Order, refundedBefore refunds: [RefundIssued]) -> [InvoiceLine] {
        var refundedAmount: [Int: Int64] = [:], refundedUnits: [Int: Int] = [:]
        for line in refunds.flatMap(\.lines) {
            refundedAmount[line.lineNumber, default: 0] += line.amount.minorUnits
            refundedUnits[line.lineNumber, default: 0] += line.quantity
        }
        var kept: [(line: OrderLine, units: Int, amount: Int64)] = []
        for line in order.lines {
            let amount = line.paidAmount.minorUnits - refundedAmount[line.lineNumber, default: 0]
            let units = line.quantity - refundedUnits[line.lineNumber, default: 0]
            if amount > 0, units > 0 { kept.append((line, units, amount)) }
        }
        // A refund that took a discount back (满减 no longer reached) left the buyer paying more
        // for what they kept: that amount belongs to the kept lines.
        let clawedBack = refunds.flatMap(\.clawbacks).reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let extra = distribute(clawedBack, over: kept.map(\.amount))
        var lines = zip(kept, extra).map { item, extra in
            InvoiceLine(lineNumber: item.line.lineNumber, description: description(of: item.line), sku: item.line.sku, quantity: item.units,
                        amount: .fen(item.amount + extra), taxRateBasisPoints: item.line.taxRateBasisPoints ?? defaultRate)
        }
        let shipping = order.shippingFee.minorUnits - refunds.reduce(Int64(0)) { $0 + $1.shippingFeeRefunded.minorUnits }
        if shipping > 0 {
            lines.append(InvoiceLine(lineNumber: nil, description: "*运输服务*配送费", sku: nil, quantity: 1, amount: .fen(shipping), taxRateBasisPoints: defaultRate))
        }
        if kept.isEmpty, clawedBack > 0 {
            lines.append(InvoiceLine(lineNumber: nil, description: "*折扣调整*促销折扣收回", sku: nil, quantity: 1, amount: .fen(clawedBack), taxRateBasisPoints: defaultRate))
        }
        return lines
    }

    static func redLines(refund: RefundIssued, order: Order) -> [InvoiceLine] {
        let byNumber = Dictionary(order.lines.map { ($0.lineNumber, $0) }, uniquingKeysWith: { first, _ in first })
        let refunded = refund.lines.filter { $0.amount.minorUnits > 0 }
        let clawedBack = refund.clawbacks.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let kept = distribute(clawedBack, over: refunded.map(\.amount.minorUnits))
        var lines = zip(refunded, kept).map { line, kept in
            let ordered = byNumber[line.lineNumber]
            return InvoiceLine(lineNumber: line.lineNumber, description: ordered.map(description(of:)) ?? "*商品*\(line.sku)", sku: line.sku,
                               quantity: -line.quantity, amount: .fen(-(line.amount.minorUnits - kept)),
                               taxRateBasisPoints: ordered?.taxRateBasisPoints ?? defaultRate)
        }
        if refund.shippingFeeRefunded.minorUnits > 0 {
            lines.append(InvoiceLine(lineNumber: nil, description: "*运输服务*配送费", sku: nil, quantity: -1, amount: .fen(-refund.shippingFeeRefunded.minorUnits),
                                     taxRateBasisPoints: defaultRate))
        }
        // A refund without lines (or whose lines do not add up, e.g. a substitution's price
        // difference) is credited as one adjustment, so the total is always minus the refund.
        let credited = lines.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let rest = -refund.amount.minorUnits - credited
        if rest != 0 {
            lines.append(InvoiceLine(lineNumber: nil, description: "*销售折让*退款", sku: nil, quantity: 0, amount: .fen(rest),
                                     taxRateBasisPoints: refunded.first.flatMap { byNumber[$0.lineNumber]?.taxRateBasisPoints } ?? defaultRate))
        }
        return lines
    }

    /// `*category*SKU`, as a 发票 names goods (the tax category between asterisks).
    static func description(of line: OrderLine) -> String {
        "*\(line.category ?? "商品")*\(line.sku)"
    }

    /// `amount` split over `weights` in proportion, largest remainders first; the parts add up to
    /// `amount` exactly (all of it on nothing when there are no weights: callers check).
    static func distribute(_ amount: Int64, over weights: [Int64]) -> [Int64] {
        let total = weights.reduce(0, +)
        guard amount != 0, total > 0 else { return weights.map { _ in 0 } }
        // Full-width products: an amount and a weight near the wire limit would overflow Int64.
        let divided = weights.map { total.dividingFullWidth(amount.multipliedFullWidth(by: $0)) }
        var parts = divided.map(\.quotient)
        let remainders = divided.enumerated().map { ($0.offset, $0.element.remainder) }.sorted { abs($0.1) > abs($1.1) || (abs($0.1) == abs($1.1) && $0.0 < $1.0) }
        var left = amount - parts.reduce(0, +)
        for (index, _) in remainders where left != 0 {
            parts[index] += left > 0 ? 1 : -1
            left += left > 0 ? -1 : 1
        }
        return parts
    }
}
