import Foundation
import OMSDomain
import OMSPlatform

/// A request to replace backordered units of a line with another SKU the customer accepts
/// (更换款式), and its pricing. Pure. The replacement keeps the discount the replaced units had:
/// at the same list price nothing moves; a cheaper one refunds the list-price difference; a dearer
/// one owes the difference, which the OMS cannot collect (it has no payment-collection port), so it
/// is refused unless customer service waives it (`waiveDifference`: the replacement is discounted
/// down to what the replaced units paid). Invariant: the replacement's paid amount plus the refund
/// equals the replaced units' paid share; neither is negative.
struct LineSubstitution: Codable, Sendable {
    var lineNumber: Int
    var quantity: Int
    var sku: String
    var reason: String
    var waiveDifference: Bool?
    /// The caller's id for this request (1-64 characters): a repeat with the same id answers the
    /// first substitution again instead of substituting more.
    var requestId: String?

    /// The replacement line and the refund, or the difference the customer would owe.
    enum Pricing: Equatable {
        case priced(replacement: OrderLine, differenceRefund: Money)
        case differenceDue(Money)
    }

    /// Field problems that need no database: empty SKU or reason, quantity below 1.
    func problems() -> [APIError.FieldError] {
        var issues: [APIError.FieldError] = []
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 500 { issues.append(.init(field: "reason", reason: "required, at most 500 characters")) }
        if sku.trimmingCharacters(in: .whitespaces).isEmpty || sku.count > 64 { issues.append(.init(field: "sku", reason: "required, at most 64 characters")) }
        if quantity < 1 { issues.append(.init(field: "quantity", reason: "must be at least 1")) }
        if let id = requestId, id.isEmpty || id.count > 64 { issues.append(.init(field: "requestId", reason: "1-64 characters")) }
        return issues
    }

    /// What is wrong against the order: the line, the units it has left, the SKU itself.
    func problems(order: Order, unitsLeft: [Int: Int]) -> [APIError.FieldError] {
        guard let line = order.lines.first(where: { $0.lineNumber == lineNumber }) else {
            return [.init(field: "lineNumber", reason: "the order has no line \(lineNumber)")]
        }
        if line.isGift { return [.init(field: "lineNumber", reason: "a gift line cannot be substituted")] }
        if line.sku == sku { return [.init(field: "sku", reason: "the line already is this SKU")] }
        let left = unitsLeft[lineNumber] ?? 0
        if quantity > left { return [.init(field: "quantity", reason: left == 0 ? "the line has no units left" : "at most \(left) units of this line are left")] }
        return []
    }

    /// Prices the replacement of `quantity` units of `line` by `sku` at `listPrice`, as line `number`,
    /// after `before` units of the line went to earlier substitutions (shares are cumulative, so all
    /// units of a line replaced one by one carry exactly what the line paid).
    func price(line: OrderLine, listPrice: Money, category: String?, number: Int, before: Int = 0) -> Pricing {
        func share(_ units: Int) -> Int64 { line.paidAmount.minorUnits * Int64(units) / Int64(max(line.quantity, 1)) }
        let oldPaid = Money.fen(share(before + quantity) - share(before))
        let oldList = line.unitPrice * quantity
        let oldDiscount = oldList - oldPaid
        let newList = listPrice * quantity
        let discount: Money
        if newList > oldList {
            guard waiveDifference == true else { return .differenceDue(newList - oldList) }
            discount = newList - oldPaid
        } else {
            discount = Money.fen(min(oldDiscount.minorUnits, newList.minorUnits))
        }
        let replacement = OrderLine(lineNumber: number, sku: sku, quantity: quantity, unitPrice: listPrice, allocatedDiscount: discount, category: category)
        return .priced(replacement: replacement, differenceRefund: oldPaid - replacement.paidAmount)
    }
}
