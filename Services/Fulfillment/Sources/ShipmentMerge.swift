import Foundation
import OMSDomain
import OMSPlatform

/// 合单 (merge for shipping): the rule of which orders may travel in one box. Pure. Two orders
/// merge when they are the same customer's, to the same recipient, phone and address, with the
/// same shipping service, and both are paid before shipment: cash on delivery collects per order
/// (the courier's amount is each waybill's), and a till sale leaves with the customer. Invariant:
/// the key is a keyed digest (`PIIVault.blindIndex`), never the address; equal inputs after
/// normalising spaces and case give equal keys.
enum ShipmentMerge {
    static func key(for order: Order, vault: PIIVault) -> String? {
        guard order.payment.method != .cashOnDelivery, order.channel != .pos, let address = order.deliveryAddress else { return nil }
        func normal(_ text: String) -> String { text.lowercased().filter { !$0.isWhitespace } }
        let parts = [order.customer.customerKey, order.customer.name, order.customer.phone, address.province, address.city, address.district,
                     address.street, address.postalCode ?? "", order.requestedService ?? "standard"]
        return vault.blindIndex(parts.map(normal).joined(separator: "\u{1F}"), purpose: "shipment-merge")
    }

    /// The line number a member's line takes while the group is planned as one box set, and back:
    /// member `index` of the group, its own `line`.
    static func groupLine(member index: Int, line: Int) -> Int { index * 100_000 + line }
    static func memberLine(_ groupLine: Int) -> (member: Int, line: Int) { (groupLine / 100_000, groupLine % 100_000) }
}
