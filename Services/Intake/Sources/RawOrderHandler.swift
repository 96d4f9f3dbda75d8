import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The intake worker: turns `intake.raw-order` events into canonical orders. Per batch, in the
/// pipeline's transaction: skip orders already persisted (dedup by order id and by
/// (channel, channel order id)), resolve every SKU reference in one query, price, redeem coupons
/// (single use, race-safe), persist orders and their first timeline entry, and emit
/// `order.received` or `order.rejected` on `oms.orders`.
/// Invariant: one order row and one outcome event per (channel, channel order id), however often
/// the raw event is delivered.
public struct RawOrderHandler: EventHandler {
    public let eventTypes: Set<String> = [RawOrderSubmitted.eventType]
    let assembler: OrderAssembler
    let hasher: PIIHasher
    /// How long an order sent before its payment waits for it.
    let paymentWindowSeconds: Int

    public init(assembler: OrderAssembler, hasher: PIIHasher, paymentWindowSeconds: Int = 1_800) {
        self.assembler = assembler
        self.hasher = hasher
        self.paymentWindowSeconds = paymentWindowSeconds
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        var submissions: [(event: EventEnvelope, body: RawOrderSubmitted)] = []
        var seen = Set<String>()
        for event in events {
            let body: RawOrderSubmitted
            do {
                body = try event.decode(RawOrderSubmitted.self)
            } catch {
                throw HandlerRejection("undecodable raw order: \(error)")
            }
            guard body.orderID == event.orderID else { throw HandlerRejection("raw order id does not match the event key") }
            let channelKey = "\(body.draft.channel.rawValue)\u{1F}\(body.draft.channelOrderID)"
            // A second submission of the same order within the batch is a duplicate.
            if seen.insert(body.orderID).inserted, seen.insert(channelKey).inserted {
                submissions.append((event, body))
            }
        }
        guard !submissions.isEmpty else { return }

        let existing = try await existingOrders(submissions.map(\.body), on: connection, logger: logger)
        submissions.removeAll { existing.contains($0.body.orderID) || existing.contains("\($0.body.draft.channel.rawValue)\u{1F}\($0.body.draft.channelOrderID)") }
        guard !submissions.isEmpty else { return }

        var references = Set<ReferenceKey>()
        for submission in submissions {
            for line in submission.body.draft.lines { references.insert(ReferenceKey(line.reference, channel: submission.body.draft.channel)) }
        }
        let catalog = try await CatalogStore.resolve(references, on: connection, logger: logger)
        let needsPricing = submissions.contains { $0.body.draft.pricing == .oms }
        let promotions = needsPricing ? try await CatalogStore.activePromotions(on: connection, logger: logger) : []
        let coupons = try await CatalogStore.coupons(Set(submissions.compactMap(\.body.draft.couponCode)), on: connection, logger: logger)

        let soldOut = try await CatalogStore.soldOut(Set(catalog.values.map(\.sku)), on: connection, logger: logger)
        var outcomes = submissions.map { submission in
            assembler.assemble(orderID: submission.body.orderID, draft: submission.body.draft, catalog: catalog, promotions: promotions,
                               coupon: submission.body.draft.couponCode.flatMap { coupons[$0] }, soldOut: soldOut)
        }
        // Coupons are redeemed only by orders that are otherwise valid, first come first served.
        var redemptions: [(code: String, orderID: String)] = []
        for outcome in outcomes {
            if case .accepted(let order, _, let code?) = outcome { redemptions.append((code, order.orderID)) }
        }
        let redeemed = try await CatalogStore.redeem(redemptions, on: connection, logger: logger)
        for (index, outcome) in outcomes.enumerated() {
            if case .accepted(let order, _, let code?) = outcome, !redeemed.contains(order.orderID) {
                outcomes[index] = .rejected([RejectionReason(code: "coupon_already_used", message: "coupon \(code) was already redeemed by another order")])
            }
        }

        var rows = OrderRows()
        let now = Date()
        for (submission, outcome) in zip(submissions, outcomes) {
            let body = submission.body, draft = body.draft
            switch outcome {
            case .accepted(let order, let applied, _) where order.payment.status == .depositPaid:
                // A presale order: intake keeps it until its balance is paid; nothing downstream starts yet.
                let terms = Dictionary(catalog.values.compactMap { entry in entry.presale.map { (entry.sku, $0) } }, uniquingKeysWith: { first, _ in first })
                let due = PresaleRule.balanceDue(order: order, terms: terms) ?? now
                let waiting = OrderAwaitingBalance(orderID: order.orderID, channel: order.channel, channelOrderID: order.channelOrderID, deposit: order.payment.paidAmount,
                                                   balanceDue: order.total - order.payment.paidAmount, reasonCode: "deposit_paid", dueAt: due, at: now)
                let envelope = try context.emit(waiting, orderID: order.orderID, topic: TopicCatalogue.orders, causedBy: submission.event)
                try rows.append(orderID: order.orderID, draft: draft, status: .awaitingBalance, total: order.total,
                                body: EventCoding.encode(context.vault.seal(order)), applied: EventCoding.encode(applied), reasons: Array("[]".utf8), hasher: hasher,
                                eventID: envelope.eventID, eventType: OrderAwaitingBalance.eventType, at: now, paymentDueAt: due)
            case .accepted(let order, let applied, let coupon):
                let received = OrderReceived(order: order, appliedPromotions: applied, couponCode: coupon, receivedAt: now)
                let envelope = try context.emit(received, orderID: order.orderID, topic: TopicCatalogue.orders, causedBy: submission.event)
                // Sent before its payment: it waits (holding its stock) and the customer is asked to pay.
                var dueAt: Date?
                if order.payment.isAwaiting {
                    let due = now.addingTimeInterval(TimeInterval(paymentWindowSeconds))
                    dueAt = due
                    try context.emit(OrderAwaitingPayment(orderID: order.orderID, channel: order.channel, channelOrderID: order.channelOrderID, amountDue: order.total,
                                                          reasonCode: order.payment.status == .failed ? "payment_failed" : "sent_before_payment", dueAt: due, at: now),
                                     orderID: order.orderID, topic: TopicCatalogue.orders, causedBy: submission.event)
                }
                try rows.append(orderID: order.orderID, draft: draft, status: dueAt == nil ? .received : .awaitingPayment, total: order.total,
                                body: EventCoding.encode(context.vault.seal(order)), applied: EventCoding.encode(applied), reasons: Array("[]".utf8), hasher: hasher,
                                eventID: envelope.eventID, at: now, paymentDueAt: dueAt)
            case .rejected(let reasons):
                let rejected = OrderRejected(orderID: body.orderID, channel: draft.channel, channelOrderID: draft.channelOrderID, reasons: reasons, rejectedAt: now)
                let envelope = try context.emit(rejected, orderID: body.orderID, topic: TopicCatalogue.orders, causedBy: submission.event)
                try rows.append(orderID: body.orderID, draft: draft, status: .rejected, total: nil, body: EventCoding.encode(draft.sealed(by: context.vault, orderID: body.orderID)),
                                applied: Array("[]".utf8), reasons: EventCoding.encode(reasons), hasher: hasher, eventID: envelope.eventID, at: now)
            }
        }
        try await rows.insert(on: connection, logger: logger)
    }

    /// Order ids and channel keys (`channel US channel order id`) of the batch already persisted.
    /// Two index lookups joined by UNION: one `WHERE id = ANY(...) OR (channel, id) IN (...)`
    /// cannot use either index and scanned the whole table for every batch (80 ms per batch at
    /// 10,000 orders, the largest single cost in the database during the end-to-end benchmark).
    private func existingOrders(_ bodies: [RawOrderSubmitted], on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let rows = try await connection.query("""
            SELECT order_id, channel, channel_order_id FROM orders
            WHERE order_id = ANY(\(bodies.map(\.orderID))::text[])
            UNION
            SELECT o.order_id, o.channel, o.channel_order_id
            FROM unnest(\(bodies.map(\.draft.channel.rawValue))::text[], \(bodies.map(\.draft.channelOrderID))::text[]) AS k(channel, channel_order_id)
            JOIN orders o ON o.channel = k.channel AND o.channel_order_id = k.channel_order_id
            """, logger: logger)
        var found = Set<String>()
        for try await (order, channel, channelOrderID) in rows.decode((String, String, String).self) {
            found.insert(order)
            found.insert("\(channel)\u{1F}\(channelOrderID)")
        }
        return found
    }
}

/// Column arrays for one multi-row insert of orders and their first timeline entries.
struct OrderRows {
    var orderIDs: [String] = [], channels: [String] = [], channelOrderIDs: [String] = [], statuses: [String] = [], ranks: [Int32] = []
    var customerKeys: [String] = [], phoneHashes: [String] = [], totals: [Int64] = [], bodies: [String] = [], applied: [String] = []
    var reasons: [String] = [], eventIDs: [UUID] = [], eventTypes: [String] = [], at: [Date] = []
    var awaiting: [Bool] = [], dueAt: [Date] = []

    mutating func append(orderID: String, draft: OrderDraft, status: OrderStatus, total: Money?, body: [UInt8], applied: [UInt8], reasons: [UInt8],
                         hasher: PIIHasher, eventID: UUID, eventType: String? = nil, at instant: Date, paymentDueAt: Date? = nil) throws {
        orderIDs.append(orderID)
        channels.append(draft.channel.rawValue)
        channelOrderIDs.append(draft.channelOrderID)
        statuses.append(status.rawValue)
        ranks.append(Int32(status.rank))
        customerKeys.append(draft.customer.customerKey)
        // Arrays cannot bind NULL elements: empty hash and -1 stand for none.
        phoneHashes.append(draft.customer.phone.isEmpty ? "" : hasher.phone(draft.customer.phone))
        totals.append(total?.minorUnits ?? -1)
        bodies.append(String(decoding: body, as: UTF8.self))
        self.applied.append(String(decoding: applied, as: UTF8.self))
        self.reasons.append(String(decoding: reasons, as: UTF8.self))
        eventIDs.append(eventID)
        eventTypes.append(eventType ?? (status == .rejected ? OrderRejected.eventType : OrderReceived.eventType))
        at.append(instant)
        awaiting.append(paymentDueAt != nil)
        dueAt.append(paymentDueAt ?? instant)
    }

    func insert(on connection: PostgresConnection, logger: Logger) async throws {
        guard !orderIDs.isEmpty else { return }
        try await connection.query("""
            INSERT INTO orders (order_id, channel, channel_order_id, status, status_rank, customer_key, phone_hash, total_fen, body,
                                applied_promotions, reasons, received_at, updated_at, payment_due_at)
            SELECT o, c, co, s, r, ck, NULLIF(ph, ''), NULLIF(t, -1), b::jsonb, a::jsonb, rs::jsonb, at, at, CASE WHEN w THEN d END
            FROM unnest(\(orderIDs)::text[], \(channels)::text[], \(channelOrderIDs)::text[], \(statuses)::text[], \(ranks)::int4[],
                        \(customerKeys)::text[], \(phoneHashes)::text[], \(totals)::int8[], \(bodies)::text[], \(applied)::text[],
                        \(reasons)::text[], \(at)::timestamptz[], \(awaiting)::bool[], \(dueAt)::timestamptz[]) AS u(o, c, co, s, r, ck, ph, t, b, a, rs, at, w, d)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO order_timeline (order_id, event_id, event_type, status, status_changed, occurred_at)
            SELECT o, e, et, s, true, at FROM unnest(\(orderIDs)::text[], \(eventIDs)::uuid[], \(eventTypes)::text[], \(statuses)::text[], \(at)::timestamptz[]) AS u(o, e, et, s, at)
            """, logger: logger)
    }
}
