import AsyncHTTPClient
import Foundation
import Logging
import OMSDomain
import OMSKafka
import OMSPlatform
import PostgresNIO

/// `omsctl status`: per service its health, each consumer group's members and lag per
/// topic/partition, open and quarantined dead letters, outbox rows not yet published and outbox
/// rows the relay quarantined (the broker can never take them).
/// Invariant: read-only; a part that cannot be read shows as unknown instead of failing the report.
public struct StatusReport: Sendable, Codable {
    public struct PartitionLag: Sendable, Codable {
        public var topic: String
        public var partition: Int32
        public var committed: Int64?
        public var high: Int64
        public var lag: Int64
    }

    public struct GroupStatus: Sendable, Codable {
        public var group: String
        public var members: Int?
        public var lag: Int64
        public var partitions: [PartitionLag]
    }

    public struct ServiceStatus: Sendable, Codable {
        public var service: ServiceName
        public var health: String
        public var groups: [GroupStatus]
        public var openDeadLetters: Int?
        public var quarantinedDeadLetters: Int?
        public var outboxBacklog: Int?
        /// Outbox rows set aside by the relay (unknown topic, too large): events nobody received.
        public var outboxQuarantined: Int?
    }

    public var services: [ServiceStatus]

    public init(services: [ServiceStatus]) {
        self.services = services
    }
    /// Webhook subscriptions and their backlog, from the integrations schema (nil when unreadable).
    public var webhooks: [WebhookBacklog]? = nil

    /// Marketplace ship-backs by status and stock listings by push status, from the integrations
    /// schema (nil when unreadable). Not part of `isDrained` either: a platform's outage is its own.
    public var marketplace: MarketplaceBacklog? = nil

    /// What the marketplaces were (and are still to be) told.
    public struct MarketplaceBacklog: Sendable, Codable {
        public var shipBacks: [String: Int]
        public var oldestPendingShipBackSeconds: Int
        public var listings: [String: Int]
    }

    /// Customer messages by status and the oldest pending one's age, from the integrations schema
    /// (nil when unreadable). Not part of `isDrained`: quiet hours hold SMS on purpose.
    public var notifications: NotificationBacklog? = nil

    /// What customers were (and are still to be) told.
    public struct NotificationBacklog: Sendable, Codable {
        public var byStatus: [String: Int]
        public var oldestPendingSeconds: Int
    }

    /// Picked fulfillment orders that cannot be packed (item data missing, a body that cannot be
    /// opened), from the fulfillment schema (nil when unreadable). Not part of `isDrained`: the
    /// pipeline has done its part; ops must supply the product (the SKUs are listed).
    public var packingBlocked: PackingBlocked? = nil

    /// What waits at packing, and for which SKUs.
    public struct PackingBlocked: Sendable, Codable {
        public var fulfillmentOrders: Int
        public var oldestSeconds: Int
        /// SKUs of blocked orders the item master does not know (up to 20).
        public var missingSkus: [String]
    }

    /// One webhook subscription's delivery backlog. Not part of `isDrained`: a receiver that is
    /// down is the receiver's outage, not the pipeline's.
    public struct WebhookBacklog: Sendable, Codable {
        public var subscription: String
        public var name: String
        public var status: String
        public var pending: Int
        public var oldestPendingSeconds: Int
        public var failed: Int
    }

    /// Zero lag, no open or quarantined dead letters, empty outboxes, no quarantined outbox rows.
    public var isDrained: Bool {
        services.allSatisfy { service in
            service.groups.allSatisfy { $0.lag == 0 } && (service.openDeadLetters ?? 0) == 0 && (service.quarantinedDeadLetters ?? 0) == 0 && (service.outboxBacklog ?? 0) == 0
                && (service.outboxQuarantined ?? 0) == 0
        }
    }

    public func table(verbose: Bool) -> String {
        var lines = ["SERVICE       HEALTH      GROUP                    MEMBERS        LAG   DLQ(open/quar)   OUTBOX(pend/quar)"]
        for service in services {
            let dlq = "\(service.openDeadLetters.map(String.init) ?? "?")/\(service.quarantinedDeadLetters.map(String.init) ?? "?")"
            let outbox = "\(service.outboxBacklog.map(String.init) ?? "?")/\(service.outboxQuarantined.map(String.init) ?? "?")"
            let groups = service.groups.isEmpty ? [GroupStatus(group: "-", members: nil, lag: 0, partitions: [])] : service.groups
            for (index, group) in groups.enumerated() {
                let head = index == 0 ? service.service.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + " " + service.health.padding(toLength: 11, withPad: " ", startingAt: 0)
                                      : String(repeating: " ", count: 25)
                let tail = index == 0 ? "\(dlq.leftPadded(16)) \(outbox.leftPadded(17))" : ""
                lines.append("\(head) \(group.group.padding(toLength: 24, withPad: " ", startingAt: 0)) \((group.members.map(String.init) ?? "?").leftPadded(7)) \(String(group.lag).leftPadded(10)) \(tail)")
                if verbose {
                    for partition in group.partitions where partition.lag > 0 {
                        lines.append("      \(partition.topic)[\(partition.partition)] committed \(partition.committed.map(String.init) ?? "-") high \(partition.high) lag \(partition.lag)")
                    }
                }
            }
        }
        if let webhooks, !webhooks.isEmpty {
            lines.append("")
            lines.append("WEBHOOK SUBSCRIPTION        NAME                 STATUS      PENDING  OLDEST(s)  FAILED")
            for hook in webhooks {
                lines.append("\(hook.subscription.padding(toLength: 27, withPad: " ", startingAt: 0)) \(String(hook.name.prefix(20)).padding(toLength: 20, withPad: " ", startingAt: 0)) "
                             + "\(hook.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(hook.pending).leftPadded(8)) \(String(hook.oldestPendingSeconds).leftPadded(10)) \(String(hook.failed).leftPadded(7))")
            }
        }
        if let marketplace, marketplace.shipBacks.values.reduce(0, +) + marketplace.listings.values.reduce(0, +) > 0 {
            let shipBacks = ["waiting_order", "pending", "sent", "failed", "skipped"].map { "\($0) \(marketplace.shipBacks[$0] ?? 0)" }.joined(separator: ", ")
            lines.append("")
            lines.append("MARKETPLACE SHIP-BACKS  \(shipBacks); oldest pending \(marketplace.oldestPendingShipBackSeconds) s")
            lines.append("MARKETPLACE LISTINGS    ok \(marketplace.listings["ok"] ?? 0), failed \(marketplace.listings["failed"] ?? 0)")
        }
        if let packingBlocked, packingBlocked.fulfillmentOrders > 0 {
            lines.append("")
            lines.append("PACKING BLOCKED         \(packingBlocked.fulfillmentOrders) fulfillment orders wait for item data (oldest \(packingBlocked.oldestSeconds) s); "
                         + "SKUs missing from the item master: \(packingBlocked.missingSkus.isEmpty ? "-" : packingBlocked.missingSkus.joined(separator: ", ")) "
                         + "(register them with PUT /v1/admin/products/{sku})")
        }
        if let notifications, notifications.byStatus.values.reduce(0, +) > 0 {
            let counts = ["pending", "sent", "failed", "suppressed", "skipped"].map { "\($0) \(notifications.byStatus[$0] ?? 0)" }.joined(separator: ", ")
            lines.append("CUSTOMER NOTIFICATIONS  \(counts); oldest pending \(notifications.oldestPendingSeconds) s")
        }
        return lines.joined(separator: "\n")
    }

    /// Gathers the report. `schema` names each service's schema; `healthURL` its readiness URL.
    public static func gather(services: [ServiceName], admin: KafkaAdmin, namespace: TopicNamespace, desk: DeadLetterDesk, database: PostgresClient?,
                              schema: @Sendable (ServiceName) -> String, healthURL: @Sendable (ServiceName) -> String, logger: Logger) async -> StatusReport {
        var report: [ServiceStatus] = []
        for service in services {
            var groups: [GroupStatus] = []
            for group in ConsumerGroup.groups(of: service) {
                let name = namespace.physical(group.name)
                let offsets = (try? await admin.groupOffsets(group: name, topics: group.topics.map(namespace.physical))) ?? []
                let partitions = offsets.map { PartitionLag(topic: $0.topicPartition.topic, partition: $0.topicPartition.partition, committed: $0.committed, high: $0.high,
                                                           lag: max(0, $0.high - ($0.committed ?? $0.low))) }
                let members = try? await admin.activeMemberCount(group: name)
                groups.append(GroupStatus(group: name, members: members, lag: partitions.reduce(0) { $0 + $1.lag }, partitions: partitions))
            }
            let outbox = await backlog(database, schema: schema(service), logger: logger)
            report.append(ServiceStatus(service: service, health: await health(healthURL(service)), groups: groups, openDeadLetters: nil, quarantinedDeadLetters: nil,
                                        outboxBacklog: outbox?.pending, outboxQuarantined: outbox?.quarantined))
        }
        // Dead letters last: reading them joins a throw-away consumer group.
        if let letters = try? await desk.entries(of: services) {
            for index in report.indices {
                let mine = letters.filter { $0.service == report[index].service }
                report[index].openDeadLetters = mine.filter { $0.state == .open }.count
                report[index].quarantinedDeadLetters = mine.filter { $0.state == .quarantined }.count
            }
        }
        var status = StatusReport(services: report)
        if services.contains(.fulfillment) {
            status.packingBlocked = await packingBlocked(database, schema: schema(.fulfillment), logger: logger)
        }
        if services.contains(.integrations) {
            status.webhooks = await webhookBacklog(database, schema: schema(.integrations), logger: logger)
            status.marketplace = await marketplaceBacklog(database, schema: schema(.integrations), logger: logger)
            status.notifications = await notificationBacklog(database, schema: schema(.integrations), logger: logger)
        }
        return status
    }

    /// `schema` quoted as an SQL identifier when its `table` exists, else nil. The name is checked
    /// to hold that table first and then quoted: identifiers cannot be bound as values.
    static func quotedSchema(_ schema: String, having table: String, _ client: PostgresClient, logger: Logger) async throws -> String? {
        let exists = try await client.query("SELECT to_regclass(\(schema + "." + table))::text", logger: logger)
        var found = false
        for try await name in exists.decode(String?.self) { found = name != nil }
        return found ? "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : nil
    }

    /// Per webhook subscription: status, pending deliveries, the oldest pending's age, failed ones.
    static func webhookBacklog(_ client: PostgresClient?, schema: String, logger: Logger) async -> [WebhookBacklog]? {
        guard let client else { return nil }
        do {
            guard let quoted = try await quotedSchema(schema, having: "webhook_deliveries", client, logger: logger) else { return nil }
            let rows = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT s.subscription_id, s.name, s.status,
                       count(d.*) FILTER (WHERE d.status = 'pending')::int8,
                       coalesce(extract(epoch FROM now() - min(d.created_at) FILTER (WHERE d.status = 'pending')), 0)::int8,
                       count(d.*) FILTER (WHERE d.status = 'failed')::int8
                FROM \(quoted).webhook_subscriptions s LEFT JOIN \(quoted).webhook_deliveries d ON d.subscription_id = s.subscription_id
                GROUP BY s.subscription_id, s.name, s.status ORDER BY s.subscription_id
                """), logger: logger)
            var result: [WebhookBacklog] = []
            for try await r in rows.decode((String, String, String, Int, Int, Int).self) {
                result.append(WebhookBacklog(subscription: r.0, name: r.1, status: r.2, pending: r.3, oldestPendingSeconds: r.4, failed: r.5))
            }
            return result
        } catch {
            return nil
        }
    }

    /// Ship-backs by status with the oldest pending one's age, and stock listings by push status.
    static func marketplaceBacklog(_ client: PostgresClient?, schema: String, logger: Logger) async -> MarketplaceBacklog? {
        guard let client else { return nil }
        do {
            guard let quoted = try await quotedSchema(schema, having: "marketplace_shipbacks", client, logger: logger) else { return nil }
            var backlog = MarketplaceBacklog(shipBacks: [:], oldestPendingShipBackSeconds: 0, listings: [:])
            let shipBacks = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT status, count(*)::int8, coalesce(extract(epoch FROM now() - min(dispatched_at)), 0)::int8 FROM \(quoted).marketplace_shipbacks GROUP BY status
                """), logger: logger)
            for try await (status, count, oldest) in shipBacks.decode((String, Int, Int).self) {
                backlog.shipBacks[status] = count
                if status == "pending" { backlog.oldestPendingShipBackSeconds = oldest }
            }
            let listings = try await client.query(PostgresQuery(unsafeSQL: "SELECT status, count(*)::int8 FROM \(quoted).stock_pushes GROUP BY status"), logger: logger)
            for try await (status, count) in listings.decode((String, Int).self) { backlog.listings[status] = count }
            return backlog
        } catch {
            return nil
        }
    }

    /// Picked fulfillment orders blocked at packing, the oldest one's wait and the SKUs missing.
    public static func packingBlocked(_ client: PostgresClient?, schema: String, logger: Logger) async -> PackingBlocked? {
        guard let client else { return nil }
        do {
            guard let quoted = try await quotedSchema(schema, having: "fulfillment_orders", client, logger: logger) else { return nil }
            var blocked = PackingBlocked(fulfillmentOrders: 0, oldestSeconds: 0, missingSkus: [])
            let counts = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT count(*)::int8, coalesce(extract(epoch FROM now() - min(coalesce(picked_at, created_at))), 0)::int8
                FROM \(quoted).fulfillment_orders WHERE status = 'picked' AND blocked_reason IS NOT NULL
                """), logger: logger)
            for try await (count, oldest) in counts.decode((Int, Int).self) { (blocked.fulfillmentOrders, blocked.oldestSeconds) = (count, oldest) }
            guard blocked.fulfillmentOrders > 0 else { return blocked }
            let skus = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT DISTINCT l.sku FROM \(quoted).fulfillment_lines l JOIN \(quoted).fulfillment_orders f ON f.id = l.fulfillment_order_id
                WHERE f.status = 'picked' AND f.blocked_reason IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(quoted).items i WHERE i.sku = l.sku)
                ORDER BY 1 LIMIT 20
                """), logger: logger)
            for try await sku in skus.decode(String.self) { blocked.missingSkus.append(sku) }
            return blocked
        } catch {
            return nil
        }
    }

    /// Customer messages by status with the oldest pending one's age.
    static func notificationBacklog(_ client: PostgresClient?, schema: String, logger: Logger) async -> NotificationBacklog? {
        guard let client else { return nil }
        do {
            guard let quoted = try await quotedSchema(schema, having: "notifications", client, logger: logger) else { return nil }
            var backlog = NotificationBacklog(byStatus: [:], oldestPendingSeconds: 0)
            let rows = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT status, count(*)::int8, coalesce(extract(epoch FROM now() - min(created_at)), 0)::int8 FROM \(quoted).notifications GROUP BY status
                """), logger: logger)
            for try await (status, count, oldest) in rows.decode((String, Int, Int).self) {
                backlog.byStatus[status] = count
                if status == "pending" { backlog.oldestPendingSeconds = oldest }
            }
            return backlog
        } catch {
            return nil
        }
    }

    static func health(_ url: String) async -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return "down" }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status.code == 200 ? "ready" : "not-ready"
    }

    /// Outbox rows waiting to be published and rows quarantined by the relay; nil when unreadable.
    static func backlog(_ client: PostgresClient?, schema: String, logger: Logger) async -> (pending: Int, quarantined: Int)? {
        guard let client else { return nil }
        do {
            guard let quoted = try await quotedSchema(schema, having: "outbox", client, logger: logger) else { return nil }
            let rows = try await client.query(PostgresQuery(unsafeSQL: """
                SELECT count(*) FILTER (WHERE quarantined_at IS NULL)::int8, count(*) FILTER (WHERE quarantined_at IS NOT NULL)::int8
                FROM \(quoted).outbox WHERE sent_at IS NULL
                """), logger: logger)
            for try await (pending, quarantined) in rows.decode((Int, Int).self) { return (pending, quarantined) }
            return (0, 0)
        } catch {
            return nil
        }
    }
}
