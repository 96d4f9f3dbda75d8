import Foundation
import OMSDomain
import OMSPlatform

/// Column arrays for the signals of one run of orders under review (one multi-row insert, one
/// counting statement). Absent values are empty strings (`NULLIF` in SQL): PostgreSQL arrays
/// bound from Swift cannot hold optionals. Invariant: every array has one entry per order, in
/// review order.
struct ReviewSignalRows {
    var orderIDs: [String] = [], channels: [String] = [], customerKeys: [String] = [], phoneHashes: [String] = []
    var addressHashes: [String] = [], deviceKeys: [String] = [], couponCodes: [String] = [], totals: [Int64] = []
    var placedAt: [Date] = [], windowFrom: [Date] = [], windowTo: [Date] = []

    mutating func append(_ received: OrderReceived, hasher: PIIHasher, window: TimeInterval) {
        let order = received.order
        orderIDs.append(order.orderID)
        channels.append(order.channel.rawValue)
        customerKeys.append(order.customer.customerKey)
        phoneHashes.append(order.customer.phone.isEmpty ? "" : hasher.phone(order.customer.phone))
        addressHashes.append(order.deliveryAddress.map(hasher.address) ?? "")
        deviceKeys.append(order.deviceKey ?? "")
        couponCodes.append(received.couponCode ?? "")
        totals.append(order.total.minorUnits)
        placedAt.append(order.placedAt)
        windowFrom.append(order.placedAt.addingTimeInterval(-window))
        windowTo.append(order.placedAt.addingTimeInterval(window))
    }
}

/// Column arrays for the decisions of one run (one multi-row insert). The stored order body has
/// its personal data sealed. Invariant: one entry per order, in review order.
struct DecisionRows {
    var orderIDs: [String] = [], channels: [String] = [], statuses: [String] = [], scores: [Int32] = []
    var findings: [String] = [], bodies: [String] = []

    mutating func append(order: Order, decision: RiskEvaluator.Decision, vault: PIIVault) throws {
        orderIDs.append(order.orderID)
        channels.append(order.channel.rawValue)
        statuses.append(decision.outcome.rawValue)
        scores.append(Int32(clamping: decision.score))
        findings.append(String(decoding: try EventCoding.encode(decision.findings), as: UTF8.self))
        bodies.append(String(decoding: try EventCoding.encode(vault.seal(order)), as: UTF8.self))
    }
}
