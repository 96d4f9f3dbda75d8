import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Intake's orders as stored: submissions taken at the edge, the canonical order rows with their
/// status and timeline, lookups for customer service, and cancellation's writes. Invariant: a
/// status change runs on a row `lockedStatus(of:)` locked in the caller's transaction, the same
/// one that appends its timeline entry and emits its event.
enum OrderStore {
    /// A submission already recorded under a channel order id or idempotency key.
    struct Submission: Sendable {
        var orderID: String
        var channel: String
        var channelOrderID: String
        var fingerprint: String
    }

    /// An order row; `body` is the stored (sealed) order, or a rejected draft.
    struct Row: Sendable {
        var channel: String
        var channelOrderID: String
        var status: String
        var customerKey: String
        var body: String
        var appliedPromotions: String
        var reasons: String
        var details: String
        var receivedAt: Date
        var updatedAt: Date
        /// When the payment (or a presale order's balance) is due, while the order waits for it.
        var paymentDueAt: Date?
    }

    /// One timeline entry as stored.
    struct TimelineRow: Sendable {
        var eventType: String
        var status: String?
        var statusChanged: Bool
        var at: Date
        var detail: String
    }

    /// One order in a lookup's result.
    struct SummaryRow: Sendable {
        var orderID: String
        var channel: String
        var channelOrderID: String
        var status: String
        var totalFen: Int64?
        var receivedAt: Date
    }

    /// Records a new submission; false when one with this channel order id or key exists.
    static func recordSubmission(channel: OMSDomain.Channel, channelOrderID: String, orderID: String, idempotencyKey: String?, fingerprint: String, eventID: UUID,
                                 connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let inserted = try await connection.query("""
            INSERT INTO submissions (channel, channel_order_id, order_id, idempotency_key, fingerprint, event_id)
            VALUES (\(channel.rawValue), \(channelOrderID), \(orderID), \(idempotencyKey), \(fingerprint), \(eventID))
            ON CONFLICT DO NOTHING RETURNING order_id
            """, logger: logger)
        for try await _ in inserted.decode(String.self) { return true }
        return false
    }

    /// The submissions of `channel` recorded under this channel order id or idempotency key.
    static func submissions(channel: OMSDomain.Channel, channelOrderID: String, idempotencyKey: String?, connection: PostgresConnection, logger: Logger) async throws -> [Submission] {
        let rows = try await connection.query("""
            SELECT order_id, channel, channel_order_id, fingerprint FROM submissions
            WHERE channel = \(channel.rawValue) AND (channel_order_id = \(channelOrderID) OR idempotency_key = \(idempotencyKey))
            """, logger: logger)
        var matches: [Submission] = []
        for try await (order, channel, channelOrderID, fingerprint) in rows.decode((String, String, String, String).self) {
            matches.append(Submission(orderID: order, channel: channel, channelOrderID: channelOrderID, fingerprint: fingerprint))
        }
        return matches
    }

    /// The channel and channel order id of a submission not yet worked, or nil.
    static func pendingSubmission(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (channel: String, channelOrderID: String)? {
        let rows = try await connection.query("SELECT channel, channel_order_id FROM submissions WHERE order_id = \(orderID)", logger: logger)
        for try await (channel, channelOrderID) in rows.decode((String, String).self) { return (channel, channelOrderID) }
        return nil
    }

    static func order(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> Row? {
        let rows = try await connection.query("""
            SELECT channel, channel_order_id, status, customer_key, body::text, applied_promotions::text, reasons::text, details::text, received_at, updated_at,
                   payment_due_at
            FROM orders WHERE order_id = \(orderID)
            """, logger: logger)
        for try await r in rows.decode((String, String, String, String, String, String, String, String, Date, Date, Date?).self) {
            return Row(channel: r.0, channelOrderID: r.1, status: r.2, customerKey: r.3, body: r.4, appliedPromotions: r.5, reasons: r.6, details: r.7,
                       receivedAt: r.8, updatedAt: r.9, paymentDueAt: r.10)
        }
        return nil
    }

    static func timeline(_ orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [TimelineRow] {
        let rows = try await connection.query("""
            SELECT event_type, status, status_changed, occurred_at, detail::text FROM order_timeline WHERE order_id = \(orderID) ORDER BY occurred_at, id
            """, logger: logger)
        var entries: [TimelineRow] = []
        for try await (type, status, changed, at, detail) in rows.decode((String, String?, Bool, Date, String).self) {
            entries.append(TimelineRow(eventType: type, status: status, statusChanged: changed, at: at, detail: detail))
        }
        return entries
    }

    /// The 50 latest orders whose buyer's phone hashes to `phoneHash`.
    static func orders(phoneHash: String, connection: PostgresConnection, logger: Logger) async throws -> [SummaryRow] {
        try await summaries(connection.query("""
            SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM orders
            WHERE phone_hash = \(phoneHash) ORDER BY received_at DESC LIMIT 50
            """, logger: logger))
    }

    /// Orders newest first by the filter: the `(channel, received_at)` index when a channel is
    /// given, else `(received_at)`; status is checked on the rows read (an index on status would
    /// make every status change a non-HOT update of the hottest table).
    static func orders(_ filter: OrderListFilter, connection: PostgresConnection, logger: Logger) async throws -> [SummaryRow] {
        let before = filter.before ?? filter.to
        return try await summaries(connection.query("""
            SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM orders
            WHERE (\(filter.channel ?? "")::text = '' OR channel = \(filter.channel ?? ""))
              AND (\(filter.status ?? "")::text = '' OR status = \(filter.status ?? ""))
              AND received_at >= \(filter.from) AND received_at < \(filter.to) AND received_at < \(before)
            ORDER BY received_at DESC LIMIT \(filter.limit)
            """, logger: logger))
    }

    /// The order a channel submitted under this channel order id: its order row, or, while intake
    /// workers have not processed it yet, its submission (status `accepted`).
    static func orders(channel: OMSDomain.Channel, channelOrderID: String, connection: PostgresConnection, logger: Logger) async throws -> [SummaryRow] {
        try await summaries(connection.query("""
            SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM orders
            WHERE channel = \(channel.rawValue) AND channel_order_id = \(channelOrderID)
            UNION ALL
            SELECT s.order_id, s.channel, s.channel_order_id, 'accepted', NULL::bigint, s.accepted_at FROM submissions s
            WHERE s.channel = \(channel.rawValue) AND s.channel_order_id = \(channelOrderID)
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = s.order_id)
            """, logger: logger))
    }

    /// The order's status, its row locked until the caller's transaction ends; nil if there is no order row.
    static func lockedStatus(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> OrderStatus? {
        let rows = try await connection.query("SELECT status FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
        for try await text in rows.decode(String.self) { return OrderStatus(rawValue: text) }
        return nil
    }

    /// The order's status and channel, its row locked until the caller's transaction ends.
    static func lockedStatusAndChannel(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (status: OrderStatus, channel: String)? {
        let rows = try await connection.query("SELECT status, channel FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
        for try await (text, channel) in rows.decode((String, String).self) {
            guard let status = OrderStatus(rawValue: text) else { return nil }
            return (status, channel)
        }
        return nil
    }

    /// Applies an amendment to the stored (sealed) order body and its phone lookup. An order stored
    /// without a body that decodes as an order (a rejected draft) is left alone: false.
    @discardableResult
    static func applyAmendment(_ amended: OrderAmended, hasher: PIIHasher, vault: PIIVault, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT body::text FROM orders WHERE order_id = \(amended.orderID)", logger: logger)
        var body: String?
        for try await text in rows.decode(String.self) { body = text }
        guard let body, let stored = try? EventCoding.decode(Order.self, from: Array(body.utf8)) else { return false }
        let order = amended.applied(to: try vault.open(stored))
        let updated = String(decoding: try EventCoding.encode(vault.seal(order)), as: UTF8.self)
        try await connection.query("""
            UPDATE orders SET body = \(updated)::jsonb, phone_hash = \(hasher.phone(order.customer.phone)), updated_at = now() WHERE order_id = \(amended.orderID)
            """, logger: logger)
        return true
    }

    /// Sets a cancelled order's status and appends the cancellation to its timeline.
    static func markCancelled(_ orderID: String, by envelope: EventEnvelope, requestedBy: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE orders SET status = \(OrderStatus.cancelled.rawValue), status_rank = \(OrderStatus.cancelled.rank), updated_at = now() WHERE order_id = \(orderID)
            """, logger: logger)
        let detail = String(decoding: try EventCoding.encode(["requestedBy": requestedBy]), as: UTF8.self)
        try await connection.query("""
            INSERT INTO order_timeline (order_id, event_id, event_type, status, status_changed, occurred_at, detail)
            VALUES (\(orderID), \(envelope.eventID), \(OrderCancelled.eventType), \(OrderStatus.cancelled.rawValue), true, \(envelope.occurredAt), \(detail)::jsonb)
            """, logger: logger)
    }

    /// An order awaiting its payment as its channel knows it, locked for the payment's outcome.
    struct AwaitingPayment: Sendable {
        var orderID: String
        var status: OrderStatus
        var totalFen: Int64?
        var dueAt: Date?
        var payment: Payment?
    }

    static func lockedForPayment(channel: OMSDomain.Channel, channelOrderID: String, connection: PostgresConnection, logger: Logger) async throws -> AwaitingPayment? {
        let rows = try await connection.query("""
            SELECT order_id, status, total_fen, payment_due_at, (body->'payment')::text FROM orders
            WHERE channel = \(channel.rawValue) AND channel_order_id = \(channelOrderID) FOR UPDATE
            """, logger: logger)
        for try await (order, status, total, due, payment) in rows.decode((String, String, Int64?, Date?, String?).self) {
            return AwaitingPayment(orderID: order, status: OrderStatus(rawValue: status) ?? .received, totalFen: total, dueAt: due,
                                   payment: payment.flatMap { try? EventCoding.decode(Payment.self, from: Array($0.utf8)) })
        }
        return nil
    }

    /// The furthest status the order reached while it awaited payment (from its timeline).
    static func furthestStatus(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> OrderStatus {
        let rows = try await connection.query("SELECT status FROM order_timeline WHERE order_id = \(orderID) AND status IS NOT NULL ORDER BY id", logger: logger)
        var furthest = OrderStatus.received
        for try await text in rows.decode(String.self) {
            if let status = OrderStatus(rawValue: text), !status.isTerminal, furthest.canAdvance(to: status) { furthest = status }
        }
        return furthest
    }

    /// The payment went through: the order takes its payment and the status it reached meanwhile.
    static func markPaid(_ orderID: String, payment: Payment, status: OrderStatus, by envelope: EventEnvelope, connection: PostgresConnection, logger: Logger) async throws {
        let json = String(decoding: try EventCoding.encode(payment), as: UTF8.self)
        try await connection.query("""
            UPDATE orders SET body = jsonb_set(body, '{payment}', \(json)::jsonb), payment_due_at = NULL, status = \(status.rawValue),
                              status_rank = \(status.rank), updated_at = now()
            WHERE order_id = \(orderID)
            """, logger: logger)
        try await appendTimeline(orderID, envelope, status: status, detail: ["paymentStatus": "paid"], connection: connection, logger: logger)
    }

    /// Appends an event of intake's own to the order's timeline.
    static func appendTimeline(_ orderID: String, _ envelope: EventEnvelope, status: OrderStatus?, detail: [String: String], connection: PostgresConnection, logger: Logger) async throws {
        let text = String(decoding: try EventCoding.encode(detail), as: UTF8.self)
        try await connection.query("""
            INSERT INTO order_timeline (order_id, event_id, event_type, status, status_changed, occurred_at, detail)
            VALUES (\(orderID), \(envelope.eventID), \(envelope.type), \(status?.rawValue), \(status != nil), \(envelope.occurredAt), \(text)::jsonb)
            """, logger: logger)
    }

    /// Orders still `waiting` (awaiting their payment, or a presale order its balance) whose
    /// deadline passed, locked (skipping those another replica holds).
    static func overdue(_ waiting: OrderStatus, now: Date, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT order_id FROM orders WHERE payment_due_at <= \(now) AND status = \(waiting.rawValue)
            ORDER BY payment_due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    private static func summaries(_ rows: PostgresRowSequence) async throws -> [SummaryRow] {
        var result: [SummaryRow] = []
        for try await (id, channel, channelOrderID, status, total, at) in rows.decode((String, String, String, String, Int64?, Date).self) {
            result.append(SummaryRow(orderID: id, channel: channel, channelOrderID: channelOrderID, status: status, totalFen: total, receivedAt: at))
        }
        return result
    }
}
