import Foundation

/// One rule of the order review that fired: which, how much it weighs, and why (no PII).
/// Invariant: `rule` is a stable machine name; the decision's score is the sum of its findings.
public struct RiskFinding: Codable, Hashable, Sendable {
    public var rule: String
    public var score: Int
    public var reason: String

    public init(rule: String, score: Int, reason: String) {
        self.rule = rule
        self.score = score
        self.reason = reason
    }
}

/// `order.verified` on `oms.risk.decisions`: the order passed review (automatically or by a
/// reviewer) and may take stock. Invariant: at most one decision event per order.
public struct OrderVerified: DomainEvent {
    public static let eventType = "order.verified"
    public static let schemaVersion = 1

    public var orderID: String
    public var score: Int
    public var findings: [RiskFinding]
    /// "rules" for an automatic decision, else the reviewer's id.
    public var decidedBy: String
    public var verifiedAt: Date
    /// The order as verified (with any amendment applied), so inventory needs nothing else.
    public var order: Order

    public init(orderID: String, score: Int, findings: [RiskFinding], decidedBy: String, verifiedAt: Date, order: Order) {
        self.orderID = orderID
        self.score = score
        self.findings = findings
        self.decidedBy = decidedBy
        self.verifiedAt = verifiedAt
        self.order = order
    }
}

/// `order.held` on `oms.risk.decisions`: the order waits in the manual review queue.
public struct OrderHeld: DomainEvent {
    public static let eventType = "order.held"
    public static let schemaVersion = 1

    public var orderID: String
    public var score: Int
    public var findings: [RiskFinding]
    public var heldAt: Date

    public init(orderID: String, score: Int, findings: [RiskFinding], heldAt: Date) {
        self.orderID = orderID
        self.score = score
        self.findings = findings
        self.heldAt = heldAt
    }
}

/// `order.amended`: the delivery details were corrected. On `oms.risk.decisions` when risk's
/// reviewer reached the customer of a held order; on `oms.orders` when customer service (or the
/// channel) amended an order before packing (intake refuses later ones; logistics, which books the
/// waybill, answers one that crossed the packing with `shipment.amendment-refused`; only these name a
/// shipping service). Fields that did
/// not change are nil. Invariant: at least one field is set; only before packing.
public struct OrderAmended: DomainEvent {
    public static let eventType = "order.amended"
    public static let schemaVersion = 1

    public var orderID: String
    public var recipientName: String?
    public var recipientPhone: String?
    public var deliveryAddress: Address?
    /// "standard" or "express" (customer service's amendments only): the service the carrier is booked for.
    public var shippingService: String?
    public var amendedBy: String
    public var amendedAt: Date

    public init(orderID: String, recipientName: String?, recipientPhone: String?, deliveryAddress: Address?, shippingService: String? = nil,
                amendedBy: String, amendedAt: Date) {
        self.orderID = orderID
        self.recipientName = recipientName
        self.recipientPhone = recipientPhone
        self.deliveryAddress = deliveryAddress
        self.shippingService = shippingService
        self.amendedBy = amendedBy
        self.amendedAt = amendedAt
    }

    /// The shipping services an amendment may name.
    public static let shippingServices: Set<String> = ["standard", "express"]
}

extension OrderAmended {
    /// What is wrong with an amendment's fields, as (field, reason); empty when it can be applied.
    public static func problems(recipientName: String?, recipientPhone: String?, deliveryAddress: Address?, shippingService: String? = nil) -> [(field: String, reason: String)] {
        var problems: [(field: String, reason: String)] = []
        if let service = shippingService, !shippingServices.contains(service) {
            problems.append(("shippingService", "one of standard, express"))
        }
        if let phone = recipientPhone, !Customer.isMainlandMobile(phone) {
            problems.append(("recipientPhone", "must be an 11-digit mainland mobile number starting 13-19"))
        }
        if let name = recipientName, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 {
            problems.append(("recipientName", "1-100 characters"))
        }
        if let address = deliveryAddress {
            for (field, value) in [("province", address.province), ("city", address.city), ("district", address.district), ("street", address.street)]
            where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
                problems.append(("deliveryAddress.\(field)", "required, at most 200 characters"))
            }
            if !address.hasValidPostalCode { problems.append(("deliveryAddress.postalCode", "must be six digits")) }
        }
        return problems
    }

    /// This amendment followed by `later`: each field `later` sets replaces this one's; who and when are `later`'s.
    public func merged(with later: OrderAmended) -> OrderAmended {
        var merged = later
        merged.recipientName = later.recipientName ?? recipientName
        merged.recipientPhone = later.recipientPhone ?? recipientPhone
        merged.deliveryAddress = later.deliveryAddress ?? deliveryAddress
        merged.shippingService = later.shippingService ?? shippingService
        return merged
    }

    /// The order with this amendment's fields applied.
    public func applied(to order: Order) -> Order {
        var order = order
        if let recipientName { order.customer.name = recipientName }
        if let recipientPhone { order.customer.phone = recipientPhone }
        if let deliveryAddress { order.deliveryAddress = deliveryAddress }
        if let shippingService { order.requestedService = shippingService == "express" ? "express" : nil }
        return order
    }
}
