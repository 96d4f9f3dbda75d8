import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// `POST /v1/channels/{channel}/orders/{channelOrderId}/payment`: the channel's payment callback
/// for an order it sent before the payment (`payment.status` pending or failed).
/// - `{"status":"paid","reference":…,"amountFen":…,"paidAt":…}`: the amount must be the order's
///   total; the order takes the payment, shows the status it reached meanwhile, and `order.paid`
///   lets the warehouse pick it. A repeat answers the same (idempotent).
/// - `{"status":"failed","reason":…}`: the order keeps waiting until its deadline and
///   `order.awaiting-payment` (reason payment_failed) asks the customer to pay again.
/// A payment for an order already cancelled (its deadline passed) is refused 409
/// `order_cancelled`: the channel refunds it. For a presale order awaiting its balance, the
/// callback carries the balance (`OrderPaymentRoutes+Balance.swift`).
struct OrderPaymentRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct PaymentCallback: Codable, Sendable {
        var status: String
        var reference: String?
        var amountFen: Int64?
        /// ISO 8601 with an offset.
        var paidAt: String?
        var reason: String?
    }

    struct Outcome: Codable, Sendable {
        var orderId: String
        var status: String
        var paymentStatus: String
        var paymentDueAt: Date?
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/channels/:channel/orders/:channelOrderId/payment", [.channel], "The payment outcome of an order sent before its payment",
              channelParameter: "channel", use: payment),
    ]

    func payment(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let channelName = context.parameters.get("channel") ?? ""
        let channelOrderID = context.parameters.get("channelOrderId") ?? ""
        guard let channel = OMSDomain.Channel(rawValue: channelName) else { throw APIError.notFound("channel") }
        let body = try await request.decodeJSON(as: PaymentCallback.self, context: context)
        var check = RequestCheck()
        if !["paid", "failed"].contains(body.status) { check.fail("status", "paid or failed") }
        var paidTime: Date?
        if body.status == "paid" {
            if (body.reference ?? "").isEmpty || (body.reference ?? "").count > 64 { check.fail("reference", "required when paid, at most 64 characters") }
            if body.amountFen.map({ (1...1_000_000_000).contains($0) }) != true { check.fail("amountFen", "required when paid, 1-1000000000 fen") }
            // The channel payloads' own rule for instants (an offset, a plausible year).
            var fields = FieldChecker(limits: IntakeLimits())
            paidTime = fields.instant(body.paidAt, "paidAt")
            for issue in fields.issues { check.fail(issue.field, issue.reason) }
        }
        if let reason = body.reason, reason.count > 200 { check.fail("reason", "at most 200 characters") }
        try check.check()
        let paidAt = paidTime

        let outcome = try await runtime.retryingTransaction { tx -> Outcome in
            guard let order = try await OrderStore.lockedForPayment(channel: channel, channelOrderID: channelOrderID, connection: tx.connection, logger: tx.logger) else {
                throw APIError.notFound("order")
            }
            let paidAlready = order.payment.map { !$0.isAwaiting } ?? true
            if order.status == .cancelled || order.status == .rejected {
                throw APIError.conflict(order.status == .cancelled ? "order_cancelled" : "order_rejected",
                                        "the order is \(order.status.rawValue); refund this payment to the customer")
            }
            if order.status == .awaitingBalance {
                return try await balance(body, paidAt: paidAt, order: order, channel: channel, channelOrderID: channelOrderID, tx: tx)
            }
            if order.status != .awaitingPayment || paidAlready {
                guard body.status == "paid", order.payment?.reference == body.reference else {
                    throw APIError.conflict("already_paid", "the order's payment already went through")
                }
                return Outcome(orderId: order.orderID, status: order.status.rawValue, paymentStatus: "paid", paymentDueAt: nil)
            }
            guard var payment = order.payment, let due = order.dueAt else { throw APIError.conflict("not_awaiting_payment", "the order does not await a payment") }
            if body.status == "failed" {
                try tx.emit(OrderAwaitingPayment(orderID: order.orderID, channel: channel, channelOrderID: channelOrderID, amountDue: .fen(order.totalFen ?? 0),
                                                 reasonCode: "payment_failed", dueAt: due, at: Date()),
                            orderID: order.orderID, topic: TopicCatalogue.orders)
                return Outcome(orderId: order.orderID, status: order.status.rawValue, paymentStatus: "failed", paymentDueAt: due)
            }
            guard body.amountFen == order.totalFen else {
                throw APIError.validation([.init(field: "amountFen", reason: "must be the order's total, \(order.totalFen ?? 0) fen")])
            }
            payment.reference = body.reference
            payment.paidAmount = .fen(body.amountFen ?? 0)
            payment.paidAt = paidAt
            payment.status = .paid
            let envelope = try tx.emit(OrderPaid(orderID: order.orderID, payment: payment, paidAt: paidAt ?? Date()), orderID: order.orderID, topic: TopicCatalogue.orders)
            let status = try await OrderStore.furthestStatus(of: order.orderID, connection: tx.connection, logger: tx.logger)
            try await OrderStore.markPaid(order.orderID, payment: payment, status: status, by: envelope, connection: tx.connection, logger: tx.logger)
            return Outcome(orderId: order.orderID, status: status.rawValue, paymentStatus: "paid", paymentDueAt: nil)
        }
        return try Response.json(outcome)
    }
}
