import Foundation
import OMSDomain

/// Which customer messages an event calls for, with their variables. Pure: the facts about the
/// order come from what integrations recorded of earlier events. Invariant: at most one message
/// per event; no variable holds personal data; an event that concerns no customer (a hold for
/// fraud signals, an exchange's bookkeeping) plans nothing.
struct NotificationPlanner: Sendable {
    var shopName: String
    var language: String
    var returnDays: Int

    /// What integrations knows of an order when one of its events arrives.
    struct OrderFacts: Sendable, Equatable {
        var channelOrderId: String
        /// What the customer paid before shipment (0 for cash on delivery, unpaid and till sales).
        var paidFen: Int64
    }

    /// A parcel's place among its order's parcels.
    struct ParcelFacts: Sendable, Equatable {
        var number: Int
        var count: Int
        var carrier: String
        /// Every line of the parcel is an exchange's replacement.
        var isExchange: Bool
    }

    /// One message to send.
    struct Planned: Sendable, Equatable {
        var type: NotificationMessageType
        var variables: [String: String]
    }

    /// Risk findings that mean the customer must complete the delivery details (the others are
    /// fraud signals: the customer is not told).
    static let detailFindings: Set<String> = ["incomplete_recipient", "invalid_phone", "incomplete_address", "vague_address", "invalid_postal_code"]

    func plan(_ event: EventEnvelope, order: OrderFacts?, parcel: ParcelFacts?) throws -> Planned? {
        func make(_ type: NotificationMessageType, _ own: [String: String]) -> Planned? {
            guard let order else { return nil }
            var variables = own
            variables["shopName"] = shopName
            variables["orderId"] = event.orderID
            variables["channelOrderId"] = Self.shortChannelOrderID(order.channelOrderId)
            return Planned(type: type, variables: variables)
        }
        switch event.type {
        case OrderVerified.eventType:
            let verified = try event.decode(OrderVerified.self)
            return make(.orderConfirmed, ["total": Self.yuan(verified.order.total.minorUnits)])
        case OrderAwaitingPayment.eventType:
            let awaiting = try event.decode(OrderAwaitingPayment.self)
            return make(.paymentNeeded, ["amountDue": Self.yuan(awaiting.amountDue.minorUnits), "dueAt": Self.localDateTime(awaiting.dueAt)])
        case OrderHeld.eventType:
            let held = try event.decode(OrderHeld.self)
            guard held.findings.contains(where: { Self.detailFindings.contains($0.rule) }) else { return nil }
            return make(.addressNeeded, [:])
        case OrderCancelled.eventType:
            _ = try event.decode(OrderCancelled.self)
            guard let order else { return nil }
            return order.paidFen > 0 ? make(.orderCancelledRefund, ["refundAmount": Self.yuan(order.paidFen)]) : make(.orderCancelled, [:])
        case OrderRejected.eventType:
            _ = try event.decode(OrderRejected.self)
            guard let order else { return nil }
            return order.paidFen > 0 ? make(.orderCancelledRefund, ["refundAmount": Self.yuan(order.paidFen)]) : make(.orderRejected, [:])
        case ShipmentDispatched.eventType:
            let dispatched = try event.decode(ShipmentDispatched.self)
            if let code = dispatched.pickupCode {
                return make(.readyForPickup, ["storeId": dispatched.warehouseId, "pickupNumber": dispatched.trackingNumber, "pickupCode": code,
                                              "pickupBy": dispatched.pickupExpiresAt.map(Self.localDateTime) ?? ""])
            }
            guard let parcel else { return nil }
            let eta = dispatched.estimatedDelivery.map(Self.localDate) ?? ""
            let common = ["carrier": Self.carrierName(dispatched.carrier, language: language), "trackingNumber": dispatched.trackingNumber, "estimatedDelivery": eta]
            if parcel.isExchange { return make(.exchangeShipped, common) }
            return make(.shipped, common.merging(["parcelNumber": "\(parcel.number)", "parcelCount": "\(parcel.count)"]) { $1 })
        case ShipmentDelayed.eventType:
            let delayed = try event.decode(ShipmentDelayed.self)
            return make(.delayed, ["carrier": Self.carrierName(parcel?.carrier ?? "", language: language), "trackingNumber": delayed.trackingNumber,
                                   "estimatedDelivery": delayed.estimatedDelivery.map(Self.localDate) ?? ""])
        case ShipmentDelivered.eventType:
            let delivered = try event.decode(ShipmentDelivered.self)
            return make(.delivered, ["trackingNumber": delivered.trackingNumber, "returnDays": "\(returnDays)"])
        case ReturnRequested.eventType:
            let requested = try event.decode(ReturnRequested.self)
            // An uncollected pickup's return is the system's, not the customer's: only its refund is told.
            guard requested.reason != .notCollected else { return nil }
            return requested.approved ? make(.returnApproved, ["returnId": requested.returnId]) : nil
        case ReturnDecided.eventType:
            let decided = try event.decode(ReturnDecided.self)
            return decided.approved ? make(.returnApproved, ["returnId": decided.returnId]) : nil
        case ReturnReceived.eventType:
            let received = try event.decode(ReturnReceived.self)
            guard received.reason != .notCollected else { return nil }
            return make(.returnReceived, ["returnId": received.returnId])
        case RefundIssued.eventType:
            let refund = try event.decode(RefundIssued.self)
            guard refund.amount.minorUnits > 0 else { return nil }
            return make(.refunded, ["refundAmount": Self.yuan(refund.amount.minorUnits)])
        case ComplaintRecorded.eventType:
            let recorded = try event.decode(ComplaintRecorded.self)
            return make(.complaintAcknowledged, ["complaintId": recorded.complaint.complaintId, "dueAt": Self.localDateTime(recorded.complaint.dueAt)])
        case ComplaintResolved.eventType:
            let resolved = try event.decode(ComplaintResolved.self)
            return make(.complaintResolved, ["complaintId": resolved.complaint.complaintId])
        default:
            return nil
        }
    }

    /// The event types that can call for a message.
    static let messageEventTypes: Set<String> = [
        OrderVerified.eventType, OrderAwaitingPayment.eventType, OrderHeld.eventType, OrderCancelled.eventType, OrderRejected.eventType,
        ShipmentDispatched.eventType, ShipmentDelayed.eventType, ShipmentDelivered.eventType,
        ReturnRequested.eventType, ReturnDecided.eventType, ReturnReceived.eventType, RefundIssued.eventType,
        ComplaintRecorded.eventType, ComplaintResolved.eventType,
    ]

    /// "¥12.34".
    static func yuan(_ fen: Int64) -> String { "¥" + Money.fen(fen).yuanString }

    /// A marketplace order's platform id without the platform prefix (`tmall:123` → `123`).
    static func shortChannelOrderID(_ id: String) -> String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[id.index(after: colon)...])
    }

    /// `2026-12-08` in Asia/Shanghai.
    static func localDate(_ date: Date) -> String {
        let c = QuietHours.shanghai.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// `2026-12-08 22:00` in Asia/Shanghai.
    static func localDateTime(_ date: Date) -> String {
        let c = QuietHours.shanghai.dateComponents([.hour, .minute], from: date)
        return localDate(date) + String(format: " %02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// The carrier as customers know it (its code before any service suffix: `SF-EXPRESS` → SF).
    static func carrierName(_ code: String, language: String) -> String {
        let company = code.split(separator: "-").first.map(String.init)?.uppercased() ?? code
        let names: [String: (String, String)] = [
            "SF": ("顺丰速运", "SF Express"), "ZTO": ("中通快递", "ZTO Express"), "YTO": ("圆通速递", "YTO Express"), "STO": ("申通快递", "STO Express"),
            "YD": ("韵达快递", "Yunda Express"), "YUNDA": ("韵达快递", "Yunda Express"), "JD": ("京东物流", "JD Logistics"), "JDL": ("京东物流", "JD Logistics"),
            "EMS": ("中国邮政 EMS", "China Post EMS"), "DBL": ("德邦快递", "Deppon Express"), "DEPPON": ("德邦快递", "Deppon Express"), "CITY": ("同城配送", "same-city courier"),
        ]
        guard let name = names[company] else { return code }
        return language == "en" ? name.1 : name.0
    }
}
