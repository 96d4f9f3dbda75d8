import Foundation
import OMSDomain
import OMSPlatform

/// A request to cancel some units of some lines of one order, checked against what each line has
/// left. Pure. Invariant: an accepted request names each existing line once, takes at least one
/// and at most the units the line has left, and leaves at least one unit of the order (cancelling
/// everything is a cancellation of the order).
struct LineCancellation: Codable, Sendable {
    struct Line: Codable, Sendable {
        var lineNumber: Int
        var quantity: Int
    }

    var lines: [Line]
    var reason: String
    /// The caller's id for this request (1-64 characters): a repeat with the same id answers the
    /// first cancellation again instead of cancelling more (a retried call, a double-clicked form).
    var requestId: String?

    static let maxLines = 100

    /// What is wrong with the request for `order`, whose lines already lost `cancelled` units
    /// (by line number); empty when it may go ahead.
    func problems(order: Order, cancelled: [Int: Int]) -> [APIError.FieldError] {
        var issues: [APIError.FieldError] = []
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 500 { issues.append(.init(field: "reason", reason: "required, at most 500 characters")) }
        if let id = requestId, id.isEmpty || id.count > 64 { issues.append(.init(field: "requestId", reason: "1-64 characters")) }
        guard !lines.isEmpty, lines.count <= Self.maxLines else {
            issues.append(.init(field: "lines", reason: "name between 1 and \(Self.maxLines) lines"))
            return issues
        }
        let left = Self.unitsLeft(order: order, cancelled: cancelled)
        var seen = Set<Int>()
        var taken = 0
        for (index, line) in lines.enumerated() {
            guard let available = left[line.lineNumber] else {
                issues.append(.init(field: "lines[\(index)].lineNumber", reason: "the order has no line \(line.lineNumber)"))
                continue
            }
            if !seen.insert(line.lineNumber).inserted {
                issues.append(.init(field: "lines[\(index)].lineNumber", reason: "line \(line.lineNumber) is named twice"))
            } else if line.quantity < 1 {
                issues.append(.init(field: "lines[\(index)].quantity", reason: "must be at least 1"))
            } else if line.quantity > available {
                issues.append(.init(field: "lines[\(index)].quantity", reason: available == 0 ? "the line has no units left to cancel" : "at most \(available) units of this line are left"))
            } else {
                taken += line.quantity
            }
        }
        if issues.isEmpty, taken >= left.values.reduce(0, +) {
            issues.append(.init(field: "lines", reason: "this cancels every unit the order has left: cancel the order instead (POST /v1/orders/{id}/cancel)"))
        }
        return issues
    }

    /// Units each line has left after earlier line cancellations.
    static func unitsLeft(order: Order, cancelled: [Int: Int]) -> [Int: Int] {
        Dictionary(order.lines.map { ($0.lineNumber, max(0, $0.quantity - (cancelled[$0.lineNumber] ?? 0))) }, uniquingKeysWith: { first, _ in first })
    }

    /// The event's lines: each requested line with its SKU, in line order.
    func eventLines(order: Order) -> [LineQuantity] {
        let skus = Dictionary(order.lines.map { ($0.lineNumber, $0.sku) }, uniquingKeysWith: { first, _ in first })
        return lines.sorted { $0.lineNumber < $1.lineNumber }.map { LineQuantity(lineNumber: $0.lineNumber, sku: skus[$0.lineNumber] ?? "", quantity: $0.quantity) }
    }
}
