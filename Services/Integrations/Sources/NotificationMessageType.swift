/// A message the customer receives about an order, and what its templates may say. Invariant:
/// `variables` lists every `${name}` a template of this type may use, and none of them is personal
/// data (the log keeps variables as they are); the recipient is the only personal datum of a
/// message and is opened from the vault only at send time.
enum NotificationMessageType: String, CaseIterable, Codable, Sendable {
    /// Risk verified the order: it goes to the warehouse.
    case orderConfirmed = "order.confirmed"
    /// Sent before payment, or the payment failed: pay by `dueAt`.
    case paymentNeeded = "order.payment-needed"
    /// Held because the delivery address or recipient is incomplete: customer service will call,
    /// or the customer corrects it in the shop.
    case addressNeeded = "order.address-needed"
    /// Cancelled (by the customer, customer service, or payment not made in time); nothing was paid.
    case orderCancelled = "order.cancelled"
    /// Cancelled or rejected after payment: the refund follows.
    case orderCancelledRefund = "order.cancelled-refund"
    /// Rejected by verification; nothing was paid.
    case orderRejected = "order.rejected"
    /// One parcel left the warehouse (`parcelNumber` of `parcelCount`).
    case shipped = "shipment.shipped"
    /// The carrier reported a delay.
    case delayed = "shipment.delayed"
    /// Delivered (a delivery-day message: sent even in quiet hours), with how to return.
    case delivered = "shipment.delivered"
    case returnApproved = "return.approved"
    case returnReceived = "return.received"
    case refunded = "refund.issued"
    /// The replacement of an exchange left the warehouse.
    case exchangeShipped = "exchange.shipped"
    case complaintAcknowledged = "complaint.acknowledged"
    case complaintResolved = "complaint.resolved"
    /// A pickup order (门店自提) is ready at its store: the code to show and the deadline. (Last,
    /// so the built-in SMS template codes of the others keep their numbers.)
    case readyForPickup = "pickup.ready"

    /// Marketing messages and service messages are opted out of separately.
    enum Kind: String, Codable, Sendable, CaseIterable { case service, marketing }

    /// Every message here is a service message (it is about the customer's own order).
    var kind: Kind { .service }

    /// A message the customer wants on the day it happens, so quiet hours do not hold it.
    var isDeliveryDay: Bool { self == .delivered }

    /// Variables every template may use.
    static let commonVariables = ["shopName", "orderId", "channelOrderId"]

    /// The variables templates of this type may use.
    var variables: [String] {
        let own: [String]
        switch self {
        case .orderConfirmed: own = ["total"]
        case .paymentNeeded: own = ["amountDue", "dueAt"]
        case .addressNeeded, .orderRejected, .orderCancelled: own = []
        case .orderCancelledRefund: own = ["refundAmount"]
        case .shipped: own = ["carrier", "trackingNumber", "estimatedDelivery", "parcelNumber", "parcelCount"]
        case .delayed: own = ["carrier", "trackingNumber", "estimatedDelivery"]
        case .delivered: own = ["trackingNumber", "returnDays"]
        case .returnApproved, .returnReceived: own = ["returnId"]
        case .refunded: own = ["refundAmount"]
        case .exchangeShipped: own = ["carrier", "trackingNumber", "estimatedDelivery"]
        case .complaintAcknowledged: own = ["complaintId", "dueAt"]
        case .complaintResolved: own = ["complaintId"]
        case .readyForPickup: own = ["storeId", "pickupNumber", "pickupCode", "pickupBy"]
        }
        return Self.commonVariables + own
    }
}
