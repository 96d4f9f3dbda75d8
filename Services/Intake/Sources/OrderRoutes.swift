import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Order status for customers and customer service: `GET /v1/orders/{id}`, lookup by channel order
/// id or by phone (`GET /v1/orders?channel=&channelOrderId=` / `?phone=`), and
/// `POST /v1/orders/{id}/cancel`, amendments and line cancellations. Personal data leaves only masked. A channel's token reads the
/// orders of its own channel only (the `statusUrl` of intake's 202), by id or channel order id.
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
            /// Units taken off the line by line cancellations (requested, less what a warehouse refused: those ship).
            var cancelledQuantity: Int = 0
            /// Units replaced by another SKU (requested or done; the replacement is a line of its own once done).
            var substitutedQuantity: Int = 0
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
        /// A presale order's deposit (paid before its balance).
        var depositFen: Int64?
        /// While the order awaits its payment or its balance: by when.
        var paymentDueAt: Date?
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

    /// Corrected delivery details; fields left out do not change.
    struct AmendRequest: Codable, Sendable {
        var recipientName: String?
        var recipientPhone: String?
        var deliveryAddress: Address?
        /// "standard" or "express": the carrier service the parcel is booked with.
        var shippingService: String?
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/orders/:id", [.customerService, .risk, .ops, .channel], "One order with its status timeline (a channel: its own orders)", use: showOrder),
        .get("/v1/orders", [.customerService, .risk, .ops, .channel], "Orders by phone, by channel and channel order id, or newest first by status, channel and Beijing dates (?status, channel, from, to, before, limit; a channel: its own)", use: listOrders),
        .post("/v1/orders/:id/cancel", [.customerService, .ops], "Cancel an order before it ships", use: cancelOrder),
        .post("/v1/orders/:id/amendments", [.customerService, .ops, .channel], "Correct the recipient, delivery address or shipping service before the order is packed (a channel: its own orders)", use: amendOrder),
        .post("/v1/orders/:id/line-cancellations", [.customerService, .ops, .channel],
              "Cancel some units of some lines before the order is packed; the rest goes on and the difference is refunded (a channel: its own orders)", use: cancelLines),
        .post("/v1/orders/:id/substitutions", [.customerService, .ops, .channel],
              "Replace backordered units of a line with another SKU the customer accepts (更换款式); a cheaper one refunds the difference (a channel: its own orders)",
              use: substituteLine),
    ]

    func showOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let order = try await view(id)
        if let principal = context.principal, principal.role == .channel, principal.channel != order.channel {
            throw Self.otherChannel
        }
        return try Response.json(order)
    }

    func listOrders(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        // A channel names its own channel in every lookup (by channel order id, or a listing).
        if let principal = context.principal, principal.role == .channel, query["phone"] != nil || query["channel"] != principal.channel {
            throw Self.otherChannel
        }
        return try Response.json(["orders": try await lookup(query)])
    }

    /// A channel asking for another channel's order, or for orders by phone (which spans channels).
    static let otherChannel = APIError(.forbidden, code: "channel_not_permitted", message: "a channel token reads its own channel's orders only, by id or channel order id",
                                       fields: [.init(field: "channel", reason: "not this token's channel")])

    func cancelOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: CancelRequest.self, context: context)
        return try await cancel(id, body)
    }

    func amendOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: AmendRequest.self, context: context)
        try await amend(id, body, by: context.principal)
        return try Response.json(try await view(id))
    }

    func cancelLines(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: LineCancellation.self, context: context)
        let (accepted, replayed) = try await cancelLines(id, body, by: context.principal)
        return try Self.accepted(accepted, replayed: replayed)
    }

    /// What a line cancellation answers: accepted and announced; inventory and the warehouses
    /// decide what stops (the order's timeline shows it) and after-sales refunds the difference.
    struct LineCancellationAccepted: Codable, Sendable {
        var cancellationId: String
        var orderId: String
        var lines: [LineQuantity]
        var statusUrl: String
    }

    /// The order's status and channel, its row locked for the caller's transaction: 409 while intake
    /// workers have not processed it yet, 404 when there is no such order, 403 for another channel.
    func lockedOrder(_ id: String, for principal: Principal?, tx: TransactionContext) async throws -> (status: OrderStatus, channel: String) {
        guard let (status, channel) = try await OrderStore.lockedStatusAndChannel(of: id, connection: tx.connection, logger: tx.logger) else {
            if try await OrderStore.pendingSubmission(id, connection: tx.connection, logger: tx.logger) != nil {
                throw APIError(.conflict, code: "order_pending", message: "the order is accepted but not yet processed; retry in a moment")
            }
            throw APIError.notFound("order")
        }
        if let principal, principal.role == .channel, principal.channel != channel { throw Self.otherChannel }
        return (status, channel)
    }

    /// Records the cancellation and announces `order.lines-cancelled` on `oms.orders` in one
    /// transaction; 409 once the order is packed, closed, awaiting payment or its balance, or a till sale.
    func cancelLines(_ id: String, _ request: LineCancellation, by principal: Principal?) async throws -> (LineCancellationAccepted, replayed: Bool) {
        let requestedBy = principal.map { "\($0.role.rawValue):\($0.name)" } ?? "customer-service"
        return try await runtime.database.transaction(logger: runtime.logger) { tx in
            let (status, channel) = try await lockedOrder(id, for: principal, tx: tx)
            if let key = request.requestId, let earlier = try await OrderStore.lineCancellation(of: id, requestID: key, connection: tx.connection, logger: tx.logger) {
                let skus = try await OrderStore.storedOrder(id, connection: tx.connection, logger: tx.logger).map { Dictionary($0.lines.map { ($0.lineNumber, $0.sku) }, uniquingKeysWith: { first, _ in first }) } ?? [:]
                return (LineCancellationAccepted(cancellationId: earlier.id, orderId: id,
                                                 lines: earlier.lines.map { LineQuantity(lineNumber: $0.line, sku: skus[$0.line] ?? "", quantity: $0.quantity) },
                                                 statusUrl: "/v1/orders/\(id)"), true)
            }
            if status == .rejected || status == .cancelled {
                throw APIError(.conflict, code: "order_closed", message: "the order is \(status.rawValue); none of its lines can be cancelled")
            }
            if channel == OMSDomain.Channel.pos.rawValue {
                throw APIError(.conflict, code: "till_sale", message: "a till sale was completed at the till; take the goods back as a return")
            }
            if status == .awaitingPayment {
                throw APIError(.conflict, code: "awaiting_payment", message: "the order awaits its payment for its whole total; cancel the order, or cancel lines once it is paid")
            }
            if status == .awaitingBalance {
                throw APIError(.conflict, code: "awaiting_balance", message: "the presale order awaits its balance; cancel the order, or cancel lines once the balance is paid")
            }
            if status.rank >= OrderStatus.packed.rank {
                throw APIError(.conflict, code: status.rank >= OrderStatus.shipped.rank ? "already_shipped" : "already_packed",
                               message: "the order is \(status.rawValue): its lines can no longer be cancelled; request a return after delivery")
            }
            guard let order = try await OrderStore.storedOrder(id, connection: tx.connection, logger: tx.logger) else {
                throw APIError(.conflict, code: "order_closed", message: "the order has no lines to cancel")
            }
            let earlier = try await OrderStore.lineCancellations(of: id, connection: tx.connection, logger: tx.logger)
            let substituted = try await OrderStore.lineSubstitutions(of: id, connection: tx.connection, logger: tx.logger).units
            let issues = request.problems(order: order, cancelled: earlier.units.merging(substituted, uniquingKeysWith: +))
            guard issues.isEmpty else { throw APIError.validation(issues) }
            let event = OrderLinesCancelled(cancellationId: "LC-\(id)-\(earlier.count + 1)", orderID: id, lines: request.eventLines(order: order),
                                            reason: request.reason.trimmingCharacters(in: .whitespacesAndNewlines), requestedBy: requestedBy, cancelledAt: Date())
            try await OrderStore.recordLineCancellation(event, requestID: request.requestId, connection: tx.connection, logger: tx.logger)
            let envelope = try tx.emit(event, orderID: id, topic: TopicCatalogue.orders)
            try await OrderStore.appendTimeline(id, envelope, status: nil, detail: ["cancellationId": event.cancellationId, "requestedBy": requestedBy],
                                                connection: tx.connection, logger: tx.logger)
            return (LineCancellationAccepted(cancellationId: event.cancellationId, orderId: id, lines: event.lines, statusUrl: "/v1/orders/\(id)"), false)
        }
    }

    func substituteLine(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: LineSubstitution.self, context: context)
        let (accepted, replayed) = try await substitute(id, body, by: context.principal)
        return try Self.accepted(accepted, replayed: replayed)
    }

    /// 202 with the accepted change; a repeat of an earlier request (same `requestId`) is marked
    /// `Idempotent-Replayed: true`.
    static func accepted(_ value: some Encodable, replayed: Bool) throws -> Response {
        try replayed ? Response.replayed(value, status: .accepted) : Response.json(value, status: .accepted)
    }

    /// What a substitution answers: accepted and announced; inventory decides (only units still on
    /// backorder are replaced) and the order's timeline shows its answer.
    struct SubstitutionAccepted: Codable, Sendable {
        var substitutionId: String
        var orderId: String
        var replacement: OrderLine
        var differenceRefundFen: Int64
        var statusUrl: String
    }

    /// Records the substitution and announces `order.line-substituted` in one transaction; only
    /// before packing and after payment (409 `not_backordered` otherwise; inventory refuses units
    /// no longer on backorder), 409 `difference_due` for a dearer SKU unless the difference is waived.
    func substitute(_ id: String, _ request: LineSubstitution, by principal: Principal?) async throws -> (SubstitutionAccepted, replayed: Bool) {
        let issues = request.problems()
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let requestedBy = principal.map { "\($0.role.rawValue):\($0.name)" } ?? "customer-service"
        return try await runtime.database.transaction(logger: runtime.logger) { tx in
            let (status, _) = try await lockedOrder(id, for: principal, tx: tx)
            if let key = request.requestId, let earlier = try await OrderStore.substitution(of: id, requestID: key, connection: tx.connection, logger: tx.logger) {
                return (SubstitutionAccepted(substitutionId: earlier.id, orderId: id, replacement: earlier.replacement, differenceRefundFen: earlier.refundFen,
                                             statusUrl: "/v1/orders/\(id)"), true)
            }
            if status == .rejected || status == .cancelled {
                throw APIError(.conflict, code: "order_closed", message: "the order is \(status.rawValue); none of its lines can be substituted")
            }
            // Backordered (or a ships-partially order allocated in part): inventory decides which units still wait.
            guard status == .backordered || status == .allocated || status == .verified else {
                throw APIError(.conflict, code: "not_backordered", message: "the order is \(status.rawValue): only units waiting on a backorder can be substituted")
            }
            guard let order = try await OrderStore.storedOrder(id, connection: tx.connection, logger: tx.logger) else {
                throw APIError(.conflict, code: "order_closed", message: "the order has no lines to substitute")
            }
            let cancelled = try await OrderStore.lineCancellations(of: id, connection: tx.connection, logger: tx.logger).units
            let substitutions = try await OrderStore.lineSubstitutions(of: id, connection: tx.connection, logger: tx.logger)
            let left = LineCancellation.unitsLeft(order: order, cancelled: cancelled.merging(substitutions.units, uniquingKeysWith: +))
            let lineIssues = request.problems(order: order, unitsLeft: left)
            guard lineIssues.isEmpty, let line = order.lines.first(where: { $0.lineNumber == request.lineNumber }) else { throw APIError.validation(lineIssues) }
            let entry = try await CatalogStore.resolve([ReferenceKey(kind: "sku", code: request.sku)], on: tx.connection, logger: tx.logger).values.first
            guard let entry else { throw APIError.validation([.init(field: "sku", reason: "no active product has this SKU")]) }
            let number = max(order.lines.map(\.lineNumber).max() ?? 0, substitutions.highestLine) + 1
            guard number < 1000 else { throw APIError.validation([.init(field: "lineNumber", reason: "the order has no line numbers left for a replacement")]) }
            switch request.price(line: line, listPrice: entry.listPrice, category: entry.category, number: number, before: substitutions.units[line.lineNumber] ?? 0) {
            case .differenceDue(let owed):
                throw APIError(.conflict, code: "difference_due",
                               message: "the replacement costs \(owed.minorUnits) fen more; the OMS cannot collect it: choose another SKU, or waive the difference (waiveDifference)")
            case .priced(let replacement, let refund):
                let event = OrderLineSubstituted(substitutionId: "SB-\(id)-\(substitutions.count + 1)", orderID: id,
                                                 replaced: LineQuantity(lineNumber: line.lineNumber, sku: line.sku, quantity: request.quantity),
                                                 replacement: replacement, differenceRefund: refund,
                                                 reason: request.reason.trimmingCharacters(in: .whitespacesAndNewlines), requestedBy: requestedBy, substitutedAt: Date())
                try await OrderStore.recordSubstitution(event, requestID: request.requestId, connection: tx.connection, logger: tx.logger)
                let envelope = try tx.emit(event, orderID: id, topic: TopicCatalogue.orders)
                try await OrderStore.appendTimeline(id, envelope, status: nil, detail: ["substitutionId": event.substitutionId, "requestedBy": requestedBy],
                                                    connection: tx.connection, logger: tx.logger)
                return (SubstitutionAccepted(substitutionId: event.substitutionId, orderId: id, replacement: replacement,
                                             differenceRefundFen: refund.minorUnits, statusUrl: "/v1/orders/\(id)"), false)
            }
        }
    }

    /// Applies the amendment to intake's order and announces it on `oms.orders` in one transaction;
    /// 409 once the order is packed (logistics refuses one that crosses the packing on the way).
    func amend(_ id: String, _ request: AmendRequest, by principal: Principal?) async throws {
        var issues = OrderAmended.problems(recipientName: request.recipientName, recipientPhone: request.recipientPhone, deliveryAddress: request.deliveryAddress,
                                           shippingService: request.shippingService)
            .map { APIError.FieldError(field: $0.field, reason: $0.reason) }
        if request.recipientName == nil, request.recipientPhone == nil, request.deliveryAddress == nil, request.shippingService == nil {
            issues.append(.init(field: "deliveryAddress", reason: "name at least one of recipientName, recipientPhone, deliveryAddress, shippingService"))
        }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let amendedBy = principal.map { "\($0.role.rawValue):\($0.name)" } ?? "customer-service"
        try await runtime.database.transaction(logger: runtime.logger) { tx in
            let (status, _) = try await lockedOrder(id, for: principal, tx: tx)
            if status == .rejected || status == .cancelled {
                throw APIError(.conflict, code: "order_closed", message: "the order is \(status.rawValue); its details can no longer be amended")
            }
            if status.rank >= OrderStatus.packed.rank {
                throw APIError(.conflict, code: status.rank >= OrderStatus.shipped.rank ? "already_shipped" : "already_packed",
                               message: "the order is \(status.rawValue): its parcel is labelled with the details it was packed with; ask the carrier to redirect it instead")
            }
            let amendment = OrderAmended(orderID: id, recipientName: request.recipientName, recipientPhone: request.recipientPhone,
                                         deliveryAddress: request.deliveryAddress, shippingService: request.shippingService, amendedBy: amendedBy, amendedAt: Date())
            guard try await OrderStore.applyAmendment(amendment, hasher: hasher, vault: runtime.database.vault, connection: tx.connection, logger: tx.logger) else {
                throw APIError(.conflict, code: "order_closed", message: "the order has no details to amend")
            }
            let envelope = try tx.emit(amendment, orderID: id, topic: TopicCatalogue.orders)
            try await OrderStore.appendTimeline(id, envelope, status: nil, detail: ["amendedBy": amendedBy], connection: tx.connection, logger: tx.logger)
        }
    }

    func view(_ id: String) async throws -> OrderView {
        let logger = runtime.logger
        let client = runtime.database.client
        let found = try await client.withConnection { try await OrderStore.order(id, connection: $0, logger: logger) }
        let pending = found != nil ? nil : try await client.withConnection { try await OrderStore.pendingSubmission(id, connection: $0, logger: logger) }
        let timeline = found == nil ? [] : try await client.withConnection { try await OrderStore.timeline(id, connection: $0, logger: logger) }
        let cancelled = found == nil ? [:] : try await client.withConnection { try await OrderStore.lineCancellations(of: id, connection: $0, logger: logger).units }
        let substitutions = found == nil ? OrderStore.Substitutions() : try await client.withConnection { try await OrderStore.lineSubstitutions(of: id, connection: $0, logger: logger) }
        let substituted = substitutions.units
        guard let row = found else {
            // Accepted at the edge but not yet worked: the submission is the only record so far.
            if let pending {
                return OrderView(orderId: id, channel: pending.channel, channelOrderId: pending.channelOrderID, status: "accepted", lines: [], appliedPromotions: [],
                                 reasons: [], details: [:], timeline: [])
            }
            throw APIError.notFound("order")
        }
        let body = row.body
        var view = OrderView(orderId: id, channel: row.channel, channelOrderId: row.channelOrderID, status: row.status, customerKey: row.customerKey, lines: [],
                             appliedPromotions: (try? EventCoding.decode([AppliedPromotion].self, from: Array(row.appliedPromotions.utf8))) ?? [],
                             reasons: (try? EventCoding.decode([RejectionReason].self, from: Array(row.reasons.utf8))) ?? [],
                             details: (try? EventCoding.decode([String: String].self, from: Array(row.details.utf8))) ?? [:], timeline: [],
                             receivedAt: row.receivedAt, updatedAt: row.updatedAt)
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
            view.depositFen = order.payment.status == .depositPaid ? order.payment.paidAmount.minorUnits : order.payment.deposit?.amount.minorUnits
            view.paymentDueAt = row.paymentDueAt
            view.lines = order.lines.map {
                OrderView.Line(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity, unitPriceFen: $0.unitPrice.minorUnits,
                               discountFen: $0.allocatedDiscount.minorUnits, paidFen: $0.paidAmount.minorUnits, gift: $0.isGift,
                               cancelledQuantity: cancelled[$0.lineNumber] ?? 0, substitutedQuantity: substituted[$0.lineNumber] ?? 0)
            }
            // Units replaced by a substitution are no longer the order's: their replacement line is.
            var goods = order.goodsTotal.minorUnits
            let paid = order.goodsTotal.minorUnits - order.discountTotal.minorUnits - substitutions.donePaidFen
            for line in order.lines { goods -= line.unitPrice.minorUnits * Int64(substitutions.done[line.lineNumber] ?? 0) }
            view.totals = OrderView.Totals(goodsFen: goods, discountFen: goods - paid, shippingFen: order.shippingFee.minorUnits, totalFen: paid + order.shippingFee.minorUnits)
        }
        view.timeline = timeline.map {
            OrderView.TimelineEntry(eventType: $0.eventType, status: $0.status, statusChanged: $0.statusChanged, at: $0.at,
                                    detail: (try? EventCoding.decode([String: String].self, from: Array($0.detail.utf8))) ?? [:])
        }
        return view
    }

    func lookup(_ query: [String: String]) async throws -> [Summary] {
        let logger = runtime.logger
        let rows: [OrderStore.SummaryRow]
        if let phone = query["phone"] {
            guard Customer.isMainlandMobile(phone) else {
                throw APIError.validation([.init(field: "phone", reason: "must be an 11-digit mainland mobile number starting 13-19")])
            }
            let phoneHash = hasher.phone(phone)
            rows = try await runtime.database.client.withConnection { try await OrderStore.orders(phoneHash: phoneHash, connection: $0, logger: logger) }
        } else if let channelOrderID = query["channelOrderId"] {
            guard let channel = query["channel"].flatMap(OMSDomain.Channel.init(rawValue:)) else {
                throw APIError.validation([.init(field: "channel", reason: "required with channelOrderId; one of \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            rows = try await runtime.database.client.withConnection { try await OrderStore.orders(channel: channel, channelOrderID: channelOrderID, connection: $0, logger: logger) }
        } else if query["status"] != nil || query["channel"] != nil || query["from"] != nil || query["to"] != nil {
            let filter = try OrderListFilter(query)
            rows = try await runtime.database.client.withConnection { try await OrderStore.orders(filter, connection: $0, logger: logger) }
        } else {
            throw APIError.validation([.init(field: "phone", reason: "give phone, or channel and channelOrderId, or any of status, channel, from, to")])
        }
        return rows.map { Summary(orderId: $0.orderID, channel: $0.channel, channelOrderId: $0.channelOrderID, status: $0.status, totalFen: $0.totalFen, receivedAt: $0.receivedAt) }
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
            guard let status = try await OrderStore.lockedStatus(of: id, connection: tx.connection, logger: tx.logger) else {
                return try await OrderStore.pendingSubmission(id, connection: tx.connection, logger: tx.logger) == nil ? .notFound : .pending
            }
            if status == .cancelled { return .alreadyCancelled }
            if status == .rejected { return .refused(.conflict("order_rejected", "the order was rejected; there is nothing to cancel")) }
            if status.rank >= OrderStatus.shipped.rank {
                return .refused(APIError(.conflict, code: "already_shipped", message: "the order has shipped and can no longer be cancelled; request a return at /v1/returns instead"))
            }
            if status.rank >= OrderStatus.packed.rank {
                return .refused(APIError(.conflict, code: "already_packed", message: "the order is packed and waits for its carrier; it can no longer be cancelled, request a return after delivery"))
            }
            // A presale order before its balance: the deposit goes back only when the merchant cancels.
            let deposit = status == .awaitingBalance
                ? try await OrderStore.depositSettlement(of: id, requestedBy: requestedBy, connection: tx.connection, logger: tx.logger) : nil
            let event = OrderCancelled(orderID: id, requestedBy: requestedBy, reason: reason, previousStatus: status, cancelledAt: Date(), deposit: deposit)
            let envelope = try tx.emit(event, orderID: id, topic: TopicCatalogue.orders)
            try await OrderStore.markCancelled(id, by: envelope, requestedBy: requestedBy, connection: tx.connection, logger: tx.logger)
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
