import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of customer notifications: what is known of each order's customer, the messages planned
/// from events, their claims and outcomes, and the log customer service and ops read. Invariant:
/// one message per (event, type, medium); a message is claimed only when no earlier message of its
/// order and medium is still pending (customers hear of an order in the order things happened);
/// a claim holds a lease, so a process killed mid-send leaves the message to be claimed again.
enum NotificationStore {
    /// An order's customer as `order.received` tells it, sealed.
    struct OrderContact: Sendable {
        var orderId: String
        var salesChannel: String
        var channelOrderId: String
        var sealedPhone: String
        var phoneHash: String?
        var sealedEmail: String
        var emailHash: String?
        var paidFen: Int64
    }

    static func sealContext(_ orderID: String, _ field: String) -> String { "notification-order:\(orderID)|\(field)" }

    static func recordOrders(_ orders: [OrderContact], connection: PostgresConnection, logger: Logger) async throws {
        guard !orders.isEmpty else { return }
        try await connection.query("""
            INSERT INTO notification_orders (order_id, sales_channel, channel_order_id, sealed_phone, phone_hash, sealed_email, email_hash, paid_fen)
            SELECT o, c, co, p, nullif(ph, ''), e, nullif(eh, ''), f
            FROM unnest(\(orders.map(\.orderId))::text[], \(orders.map(\.salesChannel))::text[], \(orders.map(\.channelOrderId))::text[],
                        \(orders.map(\.sealedPhone))::text[], \(orders.map { $0.phoneHash ?? "" })::text[], \(orders.map(\.sealedEmail))::text[],
                        \(orders.map { $0.emailHash ?? "" })::text[], \(orders.map(\.paidFen))::int8[]) AS u(o, c, co, p, ph, e, eh, f)
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
    }

    /// Customer service corrected the recipient's phone (`order.amended`).
    static func amendPhone(_ orderID: String, sealedPhone: String, phoneHash: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE notification_orders SET sealed_phone = \(sealedPhone), phone_hash = \(phoneHash), updated_at = now() WHERE order_id = \(orderID)
            """, logger: logger)
    }

    /// The order was paid after it was received (`order.paid`).
    static func recordPaid(_ orderID: String, fen: Int64, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE notification_orders SET paid_fen = \(fen), updated_at = now() WHERE order_id = \(orderID)", logger: logger)
    }

    static func recordPacking(fulfillmentOrderID: String, orderID: String, parcels: Int, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO notification_packings (fulfillment_order_id, order_id, parcels) VALUES (\(fulfillmentOrderID), \(orderID), \(parcels))
            ON CONFLICT (fulfillment_order_id) DO NOTHING
            """, logger: logger)
    }

    static func recordExchangeLine(exchangeID: String, orderID: String, lineNumber: Int, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO notification_exchange_lines (exchange_id, order_id, line_number) VALUES (\(exchangeID), \(orderID), \(lineNumber))
            ON CONFLICT (exchange_id) DO NOTHING
            """, logger: logger)
    }

    /// Numbers a dispatched parcel (once: a repeated event keeps its number) and answers its number.
    static func recordParcel(shipmentID: String, orderID: String, carrier: String, replaces: String?, connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.query("""
            INSERT INTO notification_parcels (shipment_id, order_id, parcel_number, carrier)
            SELECT \(shipmentID), \(orderID),
                   coalesce((SELECT parcel_number FROM notification_parcels WHERE shipment_id = \(replaces ?? "")),
                            (SELECT count(DISTINCT parcel_number)::int FROM notification_parcels WHERE order_id = \(orderID)) + 1),
                   \(carrier)
            ON CONFLICT (shipment_id) DO NOTHING
            """, logger: logger)
        for try await number in try await connection.query("SELECT parcel_number FROM notification_parcels WHERE shipment_id = \(shipmentID)", logger: logger).decode(Int.self) {
            return number
        }
        return 1
    }

    /// Keeps events about orders not received yet (a repeated event is kept once).
    static func park(_ events: [EventEnvelope], connection: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        try await connection.query("""
            INSERT INTO notification_waiting_events (event_id, order_id, event_type, schema_version, producer, correlation_id, payload, occurred_at)
            SELECT * FROM unnest(\(events.map(\.eventID))::uuid[], \(events.map(\.orderID))::text[], \(events.map(\.type))::text[],
                                 \(events.map(\.schemaVersion))::int[], \(events.map(\.producer.rawValue))::text[], \(events.map(\.correlationID))::uuid[],
                                 \(events.map { String(decoding: $0.payload, as: UTF8.self) })::text[], \(events.map(\.occurredAt))::timestamptz[])
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }

    /// Takes (removes and answers) the events kept for these orders, in the order they happened.
    static func takeWaiting(orders: [String], connection: PostgresConnection, logger: Logger) async throws -> [EventEnvelope] {
        guard !orders.isEmpty else { return [] }
        var events: [EventEnvelope] = []
        let rows = try await connection.query("""
            DELETE FROM notification_waiting_events WHERE order_id = ANY(\(orders)::text[])
            RETURNING event_id, order_id, event_type, schema_version, producer, correlation_id, payload, occurred_at
            """, logger: logger)
        for try await (id, order, type, version, producer, correlation, payload, at) in rows.decode((UUID, String, String, Int, String, UUID, String, Date).self) {
            events.append(EventEnvelope(eventID: id, type: type, schemaVersion: version, occurredAt: at, orderID: order, correlationID: correlation, causationID: nil,
                                        producer: ServiceName(rawValue: producer) ?? .intake, payload: Array(payload.utf8)))
        }
        return events.sorted { ($0.occurredAt, $0.eventID.uuidString) < ($1.occurredAt, $1.eventID.uuidString) }
    }

    /// Forgets events whose order never arrived after `days`; returns how many.
    static func pruneWaiting(olderThanDays days: Int, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            DELETE FROM notification_waiting_events WHERE created_at < now() - make_interval(days => \(days)::int) RETURNING event_id
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        return count
    }

    /// What is known of the orders: facts for planning, the sales channel, parcels packed, the
    /// lines that are exchange replacements.
    struct Known: Sendable {
        var facts: NotificationPlanner.OrderFacts
        var salesChannel: String
        var hasPhone: Bool
        var hasEmail: Bool
        var packedParcels: Int
        var exchangeLines: Set<Int>
    }

    static func known(_ orderIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: Known] {
        guard !orderIDs.isEmpty else { return [:] }
        var found: [String: Known] = [:]
        let rows = try await connection.query("""
            SELECT o.order_id, o.sales_channel, o.channel_order_id, o.paid_fen, o.sealed_phone <> '', o.sealed_email <> '',
                   coalesce((SELECT sum(parcels) FROM notification_packings k WHERE k.order_id = o.order_id), 0)::int8,
                   coalesce((SELECT array_agg(line_number) FROM notification_exchange_lines x WHERE x.order_id = o.order_id), '{}')
            FROM notification_orders o WHERE o.order_id = ANY(\(Array(Set(orderIDs)))::text[])
            """, logger: logger)
        for try await (id, channel, channelOrderID, paid, phone, email, packed, exchange) in rows.decode((String, String, String, Int64, Bool, Bool, Int64, [Int]).self) {
            found[id] = Known(facts: .init(channelOrderId: channelOrderID, paidFen: paid), salesChannel: channel, hasPhone: phone, hasEmail: email,
                              packedParcels: Int(packed), exchangeLines: Set(exchange))
        }
        return found
    }

    /// The carrier each parcel was dispatched with.
    static func parcelCarriers(_ shipmentIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        guard !shipmentIDs.isEmpty else { return [:] }
        var found: [String: String] = [:]
        for try await (id, carrier) in try await connection.query("""
            SELECT shipment_id, carrier FROM notification_parcels WHERE shipment_id = ANY(\(shipmentIDs)::text[])
            """, logger: logger).decode((String, String).self) { found[id] = carrier }
        return found
    }

    /// A message to record.
    struct Planned: Sendable {
        var eventId: UUID
        var type: NotificationMessageType
        var medium: NotificationMedium
        var orderId: String
        var language: String
        var variables: [String: String]
        var occurredAt: Date
        /// Set: recorded as skipped with this reason (the customer has no such medium).
        var skipReason: String?
    }

    /// Records messages; one already recorded for the same event, type and medium stays as it is.
    /// Each waits `settleMilliseconds` so that an order's events from several topics are recorded
    /// before its first message goes out.
    static func plan(_ planned: [Planned], settleMilliseconds: Int, connection: PostgresConnection, logger: Logger) async throws {
        guard !planned.isEmpty else { return }
        let variables = try planned.map { String(decoding: try JSONSerialization.data(withJSONObject: $0.variables, options: [.sortedKeys]), as: UTF8.self) }
        try await connection.query("""
            INSERT INTO notifications (notification_id, event_id, message_type, medium, order_id, language, variables, delivery_day, occurred_at,
                                       status, skip_reason, next_attempt_at)
            SELECT gen_random_uuid(), e, t, m, o, l, v::jsonb, d, at, CASE WHEN s = '' THEN 'pending' ELSE 'skipped' END, nullif(s, ''),
                   now() + make_interval(secs => \(Double(settleMilliseconds) / 1_000))
            FROM unnest(\(planned.map(\.eventId))::uuid[], \(planned.map(\.type.rawValue))::text[], \(planned.map(\.medium.rawValue))::text[],
                        \(planned.map(\.orderId))::text[], \(planned.map(\.language))::text[], \(variables)::text[],
                        \(planned.map(\.type.isDeliveryDay))::bool[], \(planned.map(\.occurredAt))::timestamptz[], \(planned.map { $0.skipReason ?? "" })::text[])
                 AS u(e, t, m, o, l, v, d, at, s)
            ON CONFLICT (event_id, message_type, medium) DO NOTHING
            """, logger: logger)
    }

    // MARK: sending

    /// A claimed message with everything its send needs.
    struct Claim: Sendable {
        var notificationId: UUID
        var type: NotificationMessageType
        var medium: NotificationMedium
        var orderId: String
        var language: String
        /// nil when the stored variables do not read back (the message is failed, not sent).
        var variables: [String: String]?
        var deliveryDay: Bool
        var attempt: Int
        var createdAt: Date
        /// The previous send started and its outcome was never recorded (the process died).
        var previousCallUnfinished: Bool
        /// Sends whose outcome was never known, this claim's unfinished predecessor included.
        var unknownOutcomes: Int
        var contact: Contact?
        var optedOut: Bool
        /// When the SMS sent to this recipient within the last hour went out.
        var recentSends: [Date]
        var template: NotificationTemplate?
        var setting: NotificationSetting
    }

    /// The recipient as stored: sealed, with its keyed hash.
    struct Contact: Sendable {
        var salesChannel: String
        var sealedRecipient: String
        var recipientHash: String?
    }

    /// Claims up to `limit` due messages of `medium`, each the earliest pending one of its order and medium.
    static func claimDue(medium: NotificationMedium, limit: Int, leaseSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> [Claim] {
        var ids: [UUID] = []
        var unfinished: Set<UUID> = []
        let due = try await connection.query("""
            SELECT n.notification_id, n.call_started_at IS NOT NULL FROM notifications n
            WHERE n.status = 'pending' AND n.medium = \(medium.rawValue) AND n.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM notifications e WHERE e.order_id = n.order_id AND e.medium = n.medium AND e.status = 'pending'
                              AND (e.occurred_at, e.notification_id) < (n.occurred_at, n.notification_id))
            ORDER BY n.next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        for try await (id, started) in due.decode((UUID, Bool).self) {
            ids.append(id)
            if started { unfinished.insert(id) }
        }
        guard !ids.isEmpty else { return [] }
        typealias Row = (UUID, String, String, String, String, String, Bool, Int, Date, Int)
        var rows: [Row] = []
        for try await row in try await connection.query("""
            UPDATE notifications SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)::int), call_started_at = now(),
                   unknown_outcomes = unknown_outcomes + (call_started_at IS NOT NULL)::int, updated_at = now()
            WHERE notification_id = ANY(\(ids)::uuid[])
            RETURNING notification_id, message_type, medium, order_id, language, variables::text, delivery_day, attempts, created_at, unknown_outcomes
            """, logger: logger).decode(Row.self) { rows.append(row) }

        let orders = Array(Set(rows.map(\.3)))
        var contacts: [String: (channel: String, phone: String, phoneHash: String?, email: String, emailHash: String?)] = [:]
        for try await (id, channel, phone, phoneHash, email, emailHash) in try await connection.query("""
            SELECT order_id, sales_channel, sealed_phone, phone_hash, sealed_email, email_hash FROM notification_orders WHERE order_id = ANY(\(orders)::text[])
            """, logger: logger).decode((String, String, String, String?, String, String?).self) {
            contacts[id] = (channel, phone, phoneHash, email, emailHash)
        }
        let hashes = Array(Set(contacts.values.flatMap { [$0.phoneHash, $0.emailHash].compactMap { $0 } }))
        var optOuts: Set<String> = []
        var recent: [String: [Date]] = [:]
        if !hashes.isEmpty {
            for try await (hash, kind) in try await connection.query("""
                SELECT recipient_hash, kind FROM notification_opt_outs WHERE recipient_hash = ANY(\(hashes)::text[])
                """, logger: logger).decode((String, String).self) { optOuts.insert(hash + "|" + kind) }
            for try await (hash, at) in try await connection.query("""
                SELECT recipient_hash, sent_at FROM notifications
                WHERE recipient_hash = ANY(\(hashes)::text[]) AND status = 'sent' AND medium = 'sms' AND sent_at > now() - interval '1 hour'
                """, logger: logger).decode((String, Date).self) { recent[hash, default: []].append(at) }
        }
        let types = Array(Set(rows.compactMap { NotificationMessageType(rawValue: $0.1) }))
        let templates = try await NotificationTemplateStore.templates(types, connection: connection, logger: logger)
        let settings = try await NotificationTemplateStore.settings(connection: connection, logger: logger)

        var claims: [Claim] = []
        for (id, typeName, mediumName, order, language, variablesText, deliveryDay, attempts, createdAt, unknown) in rows {
            guard let type = NotificationMessageType(rawValue: typeName), let medium = NotificationMedium(rawValue: mediumName) else { continue }
            // Written by `plan` from a [String: String]; a row that no longer reads as one is failed, never sent with blanks.
            let variables = (try? JSONSerialization.jsonObject(with: Data(variablesText.utf8))) as? [String: String]
            var contact: Contact?
            if let stored = contacts[order] {
                contact = medium == .sms ? Contact(salesChannel: stored.channel, sealedRecipient: stored.phone, recipientHash: stored.phoneHash)
                                         : Contact(salesChannel: stored.channel, sealedRecipient: stored.email, recipientHash: stored.emailHash)
            }
            let hash = contact?.recipientHash ?? ""
            let template = templates[type.rawValue + "|" + language] ?? templates[type.rawValue + "|" + NotificationTemplate.defaultLanguage]
            claims.append(Claim(notificationId: id, type: type, medium: medium, orderId: order, language: language, variables: variables, deliveryDay: deliveryDay,
                                attempt: attempts, createdAt: createdAt, previousCallUnfinished: unfinished.contains(id), unknownOutcomes: unknown, contact: contact,
                                optedOut: optOuts.contains(hash + "|" + type.kind.rawValue), recentSends: recent[hash] ?? [],
                                template: template, setting: settings[type] ?? .builtIn(type)))
        }
        return claims
    }

    /// What became of one claim.
    enum Outcome: Sendable, Equatable {
        case sent(providerMessageId: String?, recipientMasked: String, recipientHash: String?, templateVersion: Int)
        /// Not sent; try again. `unknown`: the message may have reached the customer all the same.
        case retry(afterMilliseconds: Int, code: String, message: String, unknown: Bool)
        case failed(code: String, message: String, recipientMasked: String?)
        case suppressed(reason: String, recipientMasked: String?)
        case skipped(reason: String)
        /// Held back without spending an attempt (quiet hours, the recipient's hourly limit).
        case deferred(until: Date, reason: String)
    }

    static func apply(_ outcome: Outcome, to id: UUID, connection: PostgresConnection, logger: Logger) async throws {
        switch outcome {
        case .sent(let providerID, let masked, let hash, let version):
            try await connection.query("""
                UPDATE notifications SET status = 'sent', sent_at = now(), call_started_at = NULL, provider_message_id = \(providerID),
                       recipient_masked = \(masked), recipient_hash = \(hash), template_version = \(version), deferred_reason = NULL,
                       last_error_code = NULL, last_error = NULL, updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        case .retry(let wait, let code, let message, let unknown):
            try await connection.query("""
                UPDATE notifications SET next_attempt_at = now() + make_interval(secs => \(Double(wait) / 1_000)), call_started_at = NULL,
                       unknown_outcomes = unknown_outcomes + \(unknown ? 1 : 0), last_error_code = \(code), last_error = \(message), updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        case .failed(let code, let message, let masked):
            try await connection.query("""
                UPDATE notifications SET status = 'failed', call_started_at = NULL, last_error_code = \(code), last_error = \(message),
                       recipient_masked = coalesce(\(masked), recipient_masked), updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        case .suppressed(let reason, let masked):
            try await connection.query("""
                UPDATE notifications SET status = 'suppressed', skip_reason = \(reason), call_started_at = NULL, recipient_masked = \(masked), updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        case .skipped(let reason):
            try await connection.query("""
                UPDATE notifications SET status = 'skipped', skip_reason = \(reason), call_started_at = NULL, updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        case .deferred(let until, let reason):
            try await connection.query("""
                UPDATE notifications SET attempts = attempts - 1, next_attempt_at = \(until), deferred_reason = \(reason), call_started_at = NULL, updated_at = now()
                WHERE notification_id = \(id) AND status = 'pending'
                """, logger: logger)
        }
    }

    // MARK: the log

    static let statuses = ["pending", "sent", "failed", "suppressed", "skipped"]

    /// One message as customer service and ops see it (no personal data but the masked recipient).
    struct View: Codable, Sendable {
        var notificationId: UUID
        var eventId: UUID
        var orderId: String
        var messageType: String
        var medium: String
        var language: String
        var status: String
        var reason: String?
        var recipient: String?
        var variables: [String: String]
        var templateVersion: Int?
        var attempts: Int
        var nextAttemptAt: Date?
        var deferredReason: String?
        var providerMessageId: String?
        var lastErrorCode: String?
        var lastError: String?
        var occurredAt: Date
        var sentAt: Date?
    }

    static let viewColumns = """
        notification_id, event_id, order_id, message_type, medium, language, status, skip_reason, recipient_masked, variables::text, template_version, attempts,
        CASE WHEN status = 'pending' THEN next_attempt_at END, deferred_reason, provider_message_id, last_error_code, last_error, occurred_at, sent_at
        """

    static func log(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        try await views(try await connection.query("""
            SELECT \(unescaped: viewColumns) FROM notifications WHERE order_id = \(orderID) ORDER BY occurred_at, medium, notification_id
            """, logger: logger))
    }

    static func list(status: String?, type: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        try await views(try await connection.query("""
            SELECT \(unescaped: viewColumns) FROM notifications
            WHERE (\(status ?? "") = '' OR status = \(status ?? "")) AND (\(type ?? "") = '' OR message_type = \(type ?? ""))
            ORDER BY created_at DESC, notification_id LIMIT \(limit)
            """, logger: logger))
    }

    static func find(_ id: UUID, connection: PostgresConnection, logger: Logger) async throws -> View? {
        try await views(try await connection.query("SELECT \(unescaped: viewColumns) FROM notifications WHERE notification_id = \(id)", logger: logger)).first
    }

    /// Queues a failed message again with fresh attempts; false when it is not failed.
    static func retry(_ id: UUID, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE notifications SET status = 'pending', attempts = 0, unknown_outcomes = 0, next_attempt_at = now(), call_started_at = NULL, updated_at = now()
            WHERE notification_id = \(id) AND status = 'failed' RETURNING notification_id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Counts by message type, medium and status (created since `since`).
    static func counts(since: Date, connection: PostgresConnection, logger: Logger) async throws -> [(type: String, medium: String, status: String, count: Int)] {
        var counts: [(String, String, String, Int)] = []
        for try await (type, medium, status, count) in try await connection.query("""
            SELECT message_type, medium, status, count(*)::int8 FROM notifications WHERE created_at >= \(since)
            GROUP BY message_type, medium, status ORDER BY message_type, medium, status
            """, logger: logger).decode((String, String, String, Int64).self) { counts.append((type, medium, status, Int(count))) }
        return counts
    }

    /// Messages waiting and failed (for the metric and `omsctl status`).
    static func openCounts(connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (status, count) in try await connection.query("""
            SELECT status, count(*)::int8 FROM notifications WHERE status IN ('pending', 'failed') GROUP BY status
            """, logger: logger).decode((String, Int64).self) { counts[status] = Int(count) }
        return counts
    }

    /// Deletes finished messages older than `days` and the order records no message refers to
    /// any more; returns how many messages.
    static func prune(olderThanDays days: Int, connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            DELETE FROM notifications WHERE status <> 'pending' AND created_at < now() - make_interval(days => \(days)::int) RETURNING notification_id
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        try await connection.query("""
            DELETE FROM notification_orders o WHERE o.recorded_at < now() - make_interval(days => \(days * 3)::int)
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.order_id = o.order_id)
            """, logger: logger)
        return count
    }

    static func views(_ rows: PostgresRowSequence) async throws -> [View] {
        var views: [View] = []
        for try await row in rows {
            let c = try row.decode((UUID, UUID, String, String, String, String, String, String?, String?, String, Int?, Int, Date?, String?, String?, String?, String?, Date, Date?).self)
            let variables = (try? JSONSerialization.jsonObject(with: Data(c.9.utf8))) as? [String: String] ?? [:]
            views.append(View(notificationId: c.0, eventId: c.1, orderId: c.2, messageType: c.3, medium: c.4, language: c.5, status: c.6, reason: c.7, recipient: c.8,
                              variables: variables, templateVersion: c.10, attempts: c.11, nextAttemptAt: c.12, deferredReason: c.13, providerMessageId: c.14,
                              lastErrorCode: c.15, lastError: c.16, occurredAt: c.17, sentAt: c.18))
        }
        return views
    }
}
