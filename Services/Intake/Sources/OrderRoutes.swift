import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Order status for customers and customer service: `GET /v1/orders/{id}`, lookup by channel order
/// id or by phone (`GET /v1/orders?channel=&channelOrderId=` / `?phone=`), and
/// `POST /v1/orders/{id}/cancel`. Personal data leaves only masked.
struct OrderRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let hasher: PIIHasher

    /// One order as customer service sees it.
    struct OrderView: Codable, Sendable {
        struct Totals: Codable, Sendable {
            var goodsFen: Int64
            var discountFen: Int64
            var shippingFen: Int64
            var totalFen: Int64
        }
        struct Line: Codable, Sendable {
            var lineNumber: Int
            var sku: String
            var quantity: Int
            var unitPriceFen: Int64
            var discountFen: Int64
            var paidFen: Int64
            var gift: Bool
        }
        struct TimelineEntry: Codable, Sendable {
            var eventType: String
            var status: String?
            var statusChanged: Bool
            var at: Date
            var detail: [String: String]
        }
        var orderId: String
        var channel: String
        var channelOrderId: String
        var status: String
        var customerKey: String?
        var customerName: String?
        var customerPhone: String?
        var deliveryRegion: String?
        var paymentMethod: String?
        var lines: [Line]
        var totals: Totals?
        var appliedPromotions: [AppliedPromotion]
        var reasons: [RejectionReason]
        var details: [String: String]
        var timeline: [TimelineEntry]
        var receivedAt: Date?
        var updatedAt: Date?
    }

    struct Summary: Codable, Sendable {
        var orderId: String
        var channel: String
        var channelOrderId: String
        var status: String
        var totalFen: Int64?
        var receivedAt: Date
    }

    struct CancelRequest: Codable, Sendable {
        var reason: String
        /// customer | customer-service | channel
        var requestedBy: String?
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/orders/:id", [.customerService, .risk, .ops], "One order with its status timeline", use: showOrder),
        .get("/v1/orders", [.customerService, .risk, .ops], "Orders, filtered and paged", use: listOrders),
        .post("/v1/orders/:id/cancel", [.customerService, .ops], "Cancel an order before it ships", use: cancelOrder),
    ]

    func showOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        return try Response.json(try await view(id))
    }

    func listOrders(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(["orders": try await lookup(request.queryDictionary)])
    }

    func cancelOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: CancelRequest.self, context: context)
        return try await cancel(id, body)
    }

    func view(_ id: String) async throws -> OrderView {
        let logger = runtime.logger
        let client = runtime.database.client
        let rows = try await client.query("""
            SELECT channel, channel_order_id, status, customer_key, body::text, applied_promotions::text, reasons::text, details::text, received_at, updated_at
            FROM orders WHERE order_id = \(id)
            """, logger: logger)
        var found: (String, String, String, String, String, String, String, String, Date, Date)?
        for try await row in rows.decode((String, String, String, String, String, String, String, String, Date, Date).self) { found = row }
        guard let (channel, channelOrderID, status, customerKey, body, applied, reasons, details, receivedAt, updatedAt) = found else {
            // Accepted at the edge but not yet worked: the submission is the only record so far.
            let pending = try await client.query("SELECT channel, channel_order_id FROM submissions WHERE order_id = \(id)", logger: logger)
            for try await (channel, channelOrderID) in pending.decode((String, String).self) {
                return OrderView(orderId: id, channel: channel, channelOrderId: channelOrderID, status: "accepted", lines: [], appliedPromotions: [],
                                 reasons: [], details: [:], timeline: [])
            }
            throw APIError.notFound("order")
        }
        var view = OrderView(orderId: id, channel: channel, channelOrderId: channelOrderID, status: status, customerKey: customerKey, lines: [],
                             appliedPromotions: (try? EventCoding.decode([AppliedPromotion].self, from: Array(applied.utf8))) ?? [],
                             reasons: (try? EventCoding.decode([RejectionReason].self, from: Array(reasons.utf8))) ?? [],
                             details: (try? EventCoding.decode([String: String].self, from: Array(details.utf8))) ?? [:], timeline: [],
                             receivedAt: receivedAt, updatedAt: updatedAt)
        // A rejected order stores its draft, not an Order: no details to show. An order whose
        // personal data does not open (key gone from the ring) is shown without them, and logged.
        let stored = try? EventCoding.decode(Order.self, from: Array(body.utf8))
        var opened: Order?
        if let stored {
            do { opened = try runtime.database.vault.open(stored) } catch {
                runtime.logger.error("stored order body does not open under the key ring; shown without customer details", metadata: ["orderId": "\(id)"])
            }
        }
        if let order = opened {
            view.customerName = PIIMask.name(order.customer.name)
            view.customerPhone = PIIMask.phone(order.customer.phone)
            view.deliveryRegion = order.deliveryAddress.map { "\($0.province) \($0.city)" }
            view.paymentMethod = order.payment.method.rawValue
            view.lines = order.lines.map {
                OrderView.Line(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity, unitPriceFen: $0.unitPrice.minorUnits,
                               discountFen: $0.allocatedDiscount.minorUnits, paidFen: $0.paidAmount.minorUnits, gift: $0.isGift)
            }
            view.totals = OrderView.Totals(goodsFen: order.goodsTotal.minorUnits, discountFen: order.discountTotal.minorUnits,
                                           shippingFen: order.shippingFee.minorUnits, totalFen: order.total.minorUnits)
        }
        let timeline = try await client.query("""
            SELECT event_type, status, status_changed, occurred_at, detail::text FROM order_timeline WHERE order_id = \(id) ORDER BY occurred_at, id
            """, logger: logger)
        for try await (type, status, changed, at, detail) in timeline.decode((String, String?, Bool, Date, String).self) {
            view.timeline.append(OrderView.TimelineEntry(eventType: type, status: status, statusChanged: changed, at: at,
                                                         detail: (try? EventCoding.decode([String: String].self, from: Array(detail.utf8))) ?? [:]))
        }
        return view
    }

    func lookup(_ query: [String: String]) async throws -> [Summary] {
        let logger = runtime.logger
        let rows: PostgresRowSequence
        if let phone = query["phone"] {
            guard Customer.isMainlandMobile(phone) else {
                throw APIError.validation([.init(field: "phone", reason: "must be an 11-digit mainland mobile number starting 13-19")])
            }
            rows = try await runtime.database.client.query("""
                SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM orders
                WHERE phone_hash = \(hasher.phone(phone)) ORDER BY received_at DESC LIMIT 50
                """, logger: logger)
        } else if let channelOrderID = query["channelOrderId"] {
            guard let channel = query["channel"].flatMap(OMSDomain.Channel.init(rawValue:)) else {
                throw APIError.validation([.init(field: "channel", reason: "required with channelOrderId; one of \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            rows = try await runtime.database.client.query("""
                SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM orders
                WHERE channel = \(channel.rawValue) AND channel_order_id = \(channelOrderID)
                """, logger: logger)
        } else {
            throw APIError.validation([.init(field: "phone", reason: "give phone, or channel and channelOrderId")])
        }
        var result: [Summary] = []
        for try await (id, channel, channelOrderID, status, total, at) in rows.decode((String, String, String, String, Int64?, Date).self) {
            result.append(Summary(orderId: id, channel: channel, channelOrderId: channelOrderID, status: status, totalFen: total, receivedAt: at))
        }
        return result
    }

    private enum CancelOutcome: Sendable {
        case cancelled, alreadyCancelled, pending, notFound
        case refused(APIError)
    }

    func cancel(_ id: String, _ request: CancelRequest) async throws -> Response {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let requestedBy = request.requestedBy ?? "customer-service"
        var issues: [APIError.FieldError] = []
        if reason.isEmpty || reason.count > 500 { issues.append(.init(field: "reason", reason: "required, at most 500 characters")) }
        if !["customer", "customer-service", "channel"].contains(requestedBy) { issues.append(.init(field: "requestedBy", reason: "one of customer, customer-service, channel")) }
        guard issues.isEmpty else { throw APIError.validation(issues) }

        let outcome = try await runtime.database.transaction(logger: runtime.logger) { tx -> CancelOutcome in
            let rows = try await tx.connection.query("SELECT status FROM orders WHERE order_id = \(id) FOR UPDATE", logger: tx.logger)
            var status: OrderStatus?
            for try await text in rows.decode(String.self) { status = OrderStatus(rawValue: text) }
            guard let status else {
                let pending = try await tx.connection.query("SELECT 1 FROM submissions WHERE order_id = \(id)", logger: tx.logger)
                for try await _ in pending.decode(Int.self) { return .pending }
                return .notFound
            }
            if status == .cancelled { return .alreadyCancelled }
            if status == .rejected { return .refused(.conflict("order_rejected", "the order was rejected; there is nothing to cancel")) }
            if status.rank >= OrderStatus.shipped.rank {
                return .refused(APIError(.conflict, code: "already_shipped", message: "the order has shipped and can no longer be cancelled; request a return at /v1/returns instead"))
            }
            if status.rank >= OrderStatus.packed.rank {
                return .refused(APIError(.conflict, code: "already_packed", message: "the order is packed and waits for its carrier; it can no longer be cancelled, request a return after delivery"))
            }
            let event = OrderCancelled(orderID: id, requestedBy: requestedBy, reason: reason, previousStatus: status, cancelledAt: Date())
            let envelope = try tx.emit(event, orderID: id, topic: TopicCatalogue.orders)
            try await tx.connection.query("""
                UPDATE orders SET status = \(OrderStatus.cancelled.rawValue), status_rank = \(OrderStatus.cancelled.rank), updated_at = now() WHERE order_id = \(id)
                """, logger: tx.logger)
            try await tx.connection.query("""
                INSERT INTO order_timeline (order_id, event_id, event_type, status, status_changed, occurred_at, detail)
                VALUES (\(id), \(envelope.eventID), \(OrderCancelled.eventType), \(OrderStatus.cancelled.rawValue), true, \(envelope.occurredAt), \(#"{"requestedBy":""# + requestedBy + #""}"#)::jsonb)
                """, logger: tx.logger)
            // A cancelled order gives its coupon back (taken back if the cancellation is refused).
            try await CatalogStore.releaseCoupons(of: id, on: tx.connection, logger: tx.logger)
            return .cancelled
        }
        switch outcome {
        case .cancelled, .alreadyCancelled:
            return try Response.json(["orderId": id, "status": OrderStatus.cancelled.rawValue])
        case .pending:
            throw APIError(.conflict, code: "order_pending", message: "the order is accepted but not yet processed; retry in a moment")
        case .notFound:
            throw APIError.notFound("order")
        case .refused(let error):
            throw error
        }
    }
}
