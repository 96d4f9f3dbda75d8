import OMSDomain

/// How one refund is paid back across the payments of an order. A presale order was paid twice,
/// its deposit (定金) and its balance (尾款), each a transaction of its own with the provider,
/// which refunds at most what that transaction took: the balance's transaction pays first, the
/// deposit's the rest. Pure. Invariant: the parts add up to the refund; no part exceeds what its
/// transaction has left; the first part carries the refund's own id, a second one `<id>-D`.
enum RefundSplit {
    struct Part: Equatable, Sendable {
        var refundId: String
        var amount: Int64
        var transactionId: String?
        /// What the transaction took (WeChat Pay asks for it beside the refund).
        var paidTotal: Int64
        /// The refund this part pays for, when it is not the refund's own row.
        var partOf: String?
    }

    /// `refundedByTransaction`: what earlier refunds already took from each transaction (by its
    /// reference; "" for none).
    static func parts(refundId: String, amount: Int64, payment: Payment, refundedByTransaction: [String: Int64]) -> [Part] {
        guard let deposit = payment.deposit else {
            return [Part(refundId: refundId, amount: amount, transactionId: payment.reference, paidTotal: payment.paidAmount.minorUnits, partOf: nil)]
        }
        let transactions: [(reference: String?, total: Int64)] = [
            (payment.reference, payment.paidAmount.minorUnits - deposit.amount.minorUnits),
            (deposit.reference, deposit.amount.minorUnits),
        ]
        var parts: [Part] = []
        var remaining = amount
        for (reference, total) in transactions where remaining > 0 {
            let left = max(0, total - (refundedByTransaction[reference ?? ""] ?? 0))
            let take = min(remaining, left)
            guard take > 0 else { continue }
            parts.append(Part(refundId: parts.isEmpty ? refundId : "\(refundId)-D", amount: take, transactionId: reference, paidTotal: total,
                              partOf: parts.isEmpty ? nil : refundId))
            remaining -= take
        }
        // More than both transactions have left (never, by the refund rules): the balance's
        // transaction is asked for the rest, and the provider refuses it visibly.
        if remaining > 0 {
            if parts.isEmpty {
                parts.append(Part(refundId: refundId, amount: remaining, transactionId: payment.reference, paidTotal: transactions[0].total, partOf: nil))
            } else {
                parts[0].amount += remaining
            }
        }
        return parts
    }
}
