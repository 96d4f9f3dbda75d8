import Foundation
import OMSDomain

/// A presale (预售) product's terms: sold before its stock arrives for a deposit (定金) per unit,
/// the balance (尾款) due by `balanceDueAt` (the Double 11 pattern). Invariant: `depositFen` > 0
/// and below the product's list price.
public struct PresaleTerms: Codable, Sendable, Hashable {
    public var depositFen: Int64
    public var balanceDueAt: Date

    public init(depositFen: Int64, balanceDueAt: Date) {
        self.depositFen = depositFen
        self.balanceDueAt = balanceDueAt
    }
}

/// The rules of presale orders. Pure. A deposit-paid order holds only presale products placed
/// before their balance deadline and paid exactly their deposits; it waits for its balance until
/// the earliest deadline of its lines. Cancelled before the balance, the deposit is forfeited
/// (定金不退) when the customer walks away or lets the deadline pass, and refunded when the
/// merchant cancels.
public enum PresaleRule {
    /// Why a deposit-paid order cannot be taken; empty when it can (or is not deposit-paid).
    public static func problems(order: Order, terms: [String: PresaleTerms], placedAt: Date) -> [RejectionReason] {
        guard order.payment.status == .depositPaid else { return [] }
        var reasons: [RejectionReason] = []
        var deposit: Int64 = 0
        for line in order.lines {
            guard let presale = terms[line.sku] else {
                reasons.append(RejectionReason(code: "not_presale", message: "line \(line.lineNumber): SKU \(line.sku) is not on presale; a deposit-paid order holds presale products only",
                                               lineNumber: line.lineNumber))
                continue
            }
            if placedAt >= presale.balanceDueAt {
                reasons.append(RejectionReason(code: "presale_closed", message: "line \(line.lineNumber): the presale of SKU \(line.sku) closed (its balance was due)",
                                               lineNumber: line.lineNumber))
            }
            deposit += presale.depositFen * Int64(line.quantity)
        }
        guard reasons.isEmpty else { return reasons }
        if order.payment.paidAmount.minorUnits != deposit {
            reasons.append(RejectionReason(code: "deposit_mismatch", message: "the deposit paid is \(order.payment.paidAmount) but the lines' deposits come to \(Money.fen(deposit))"))
        } else if deposit >= order.total.minorUnits {
            reasons.append(RejectionReason(code: "deposit_mismatch", message: "the deposit \(Money.fen(deposit)) leaves no balance of the order's total \(order.total)"))
        }
        return reasons
    }

    /// When the balance of an order is due: the earliest deadline among its presale lines.
    public static func balanceDue(order: Order, terms: [String: PresaleTerms]) -> Date? {
        order.lines.compactMap { terms[$0.sku]?.balanceDueAt }.min()
    }

    /// Whether the deposit goes back when the order is cancelled before its balance: only when
    /// the merchant's side (customer service) cancels; the customer, their channel and the
    /// deadline ("system") forfeit it.
    public static func refundsDeposit(requestedBy: String) -> Bool {
        requestedBy == "customer-service"
    }
}
