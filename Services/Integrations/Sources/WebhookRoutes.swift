import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Ops manage webhook subscriptions and follow their deliveries:
/// - `POST /v1/integrations/webhooks`: a new subscription; the answer shows its signing secret,
///   the only time it is shown;
/// - `GET /v1/integrations/webhooks[/{id}]`, `PUT /v1/integrations/webhooks/{id}` (name, url,
///   event types, channel, personal data), `POST …/{id}/disable`, `POST …/{id}/enable` (also
///   resumes a suspended one), `POST …/{id}/rotate-secret?graceHours=` (the new secret, once; the
///   old one keeps signing beside it for the grace period);
/// - `GET …/{id}/deliveries?status=&orderId=&before=&limit=`, `GET /v1/integrations/deliveries/{id}`,
///   `POST /v1/integrations/deliveries/{id}/redeliver`, `POST …/{id}/redeliver?failedSince=`.
struct WebhookRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/integrations/webhooks", [.ops], "Subscribe a receiver to events (answers the signing secret, once)", use: create),
        .get("/v1/integrations/webhooks", [.ops], "Webhook subscriptions with their backlog", use: list),
        .get("/v1/integrations/webhooks/:id", [.ops], "One subscription with its backlog", use: show),
        .put("/v1/integrations/webhooks/:id", [.ops], "Change a subscription's name, URL, event types, channel, personal data", use: update),
        .post("/v1/integrations/webhooks/:id/disable", [.ops], "Stop a subscription (nothing more is queued for it)", body: .none, use: disable),
        .post("/v1/integrations/webhooks/:id/enable", [.ops], "Start a disabled or suspended subscription again", body: .none, use: enable),
        .post("/v1/integrations/webhooks/:id/rotate-secret", [.ops], "A new signing secret (answered once); the old one signs too for ?graceHours (24)", body: .none, use: rotateSecret),
        .get("/v1/integrations/webhooks/:id/deliveries", [.ops], "A subscription's delivery log (?status, orderId, before, limit)", use: deliveries),
        .post("/v1/integrations/webhooks/:id/redeliver", [.ops], "Queue again every failed delivery since ?failedSince", body: .none, use: redeliverFailed),
        .get("/v1/integrations/deliveries/:id", [.ops], "One delivery: status, attempts, last answer, next attempt", use: showDelivery),
        .post("/v1/integrations/deliveries/:id/redeliver", [.ops], "Queue one delivery again", body: .none, use: redeliver),
    ]

    /// What ops send to create or change a subscription.
    struct SubscriptionRequest: Codable, Sendable {
        var name: String
        var url: String
        var eventTypes: [String]
        var channel: String?
        var includePersonalData: Bool?
    }

    /// A subscription and its backlog.
    struct SubscriptionView: Codable, Sendable {
        var subscription: WebhookSubscription
        var backlog: DeliveryStore.Backlog?
        /// Only in the answer to the creation.
        var secret: String?
    }

    func create(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SubscriptionRequest.self, context: context)
        try Self.check(body)
        let now = Date()
        let subscription = WebhookSubscription(subscriptionId: "wh_" + Self.randomID(), name: body.name.trimmingCharacters(in: .whitespaces), url: body.url,
                                               eventTypes: Array(Set(body.eventTypes)).sorted(), channel: body.channel,
                                               includePersonalData: body.includePersonalData ?? false, status: .active, statusReason: nil, consecutiveFailures: 0,
                                               createdBy: context.actingUser, createdAt: now, updatedAt: now)
        let secret = WebhookSignature.newSecret()
        let sealed = runtime.database.vault.seal(secret, context: WebhookSubscription.secretContext(subscription.subscriptionId))
        try await runtime.retryingTransaction { tx in
            try await SubscriptionStore.create(subscription, sealedSecret: sealed, connection: tx.connection, logger: tx.logger)
        }
        runtime.logger.notice("webhook subscription created", metadata: ["subscriptionId": "\(subscription.subscriptionId)", "by": "\(context.actingUser)",
                                                                       "personalData": "\(subscription.includePersonalData)"])
        var view = try await self.view(subscription.subscriptionId)
        view.secret = secret
        return try Response.json(view, status: .created)
    }

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let logger = runtime.logger
        let (subscriptions, backlog) = try await runtime.database.client.withConnection { connection in
            (try await SubscriptionStore.all(connection: connection, logger: logger), try await DeliveryStore.backlog(connection: connection, logger: logger))
        }
        let byID = Dictionary(backlog.map { ($0.subscriptionId, $0) }, uniquingKeysWith: { first, _ in first })
        return try Response.json(["subscriptions": subscriptions.map { SubscriptionView(subscription: $0, backlog: byID[$0.subscriptionId]) }])
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await view(try Self.subscriptionID(context)))
    }

    func update(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.subscriptionID(context)
        let body = try await request.decodeJSON(as: SubscriptionRequest.self, context: context)
        try Self.check(body)
        let found = try await runtime.retryingTransaction { tx in
            try await SubscriptionStore.update(id, name: body.name.trimmingCharacters(in: .whitespaces), url: body.url, eventTypes: Array(Set(body.eventTypes)).sorted(),
                                               channel: body.channel, includePersonalData: body.includePersonalData ?? false, connection: tx.connection, logger: tx.logger)
        }
        guard found else { throw Self.notFound }
        return try Response.json(try await view(id))
    }

    func disable(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await setStatus(.disabled, reason: "disabled by \(context.actingUser)", context)
    }

    func enable(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await setStatus(.active, reason: nil, context)
    }

    func rotateSecret(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.subscriptionID(context)
        let graceHours = request.queryDictionary["graceHours"].map { Int($0) } ?? 24
        guard let graceHours, (0...168).contains(graceHours) else {
            throw APIError.validation([.init(field: "graceHours", reason: "0-168 hours the old secret still signs")])
        }
        let secret = WebhookSignature.newSecret()
        let sealed = runtime.database.vault.seal(secret, context: WebhookSubscription.secretContext(id))
        let found = try await runtime.retryingTransaction { tx in
            try await SubscriptionStore.rotateSecret(id, newSealed: sealed, graceSeconds: graceHours * 3_600, connection: tx.connection, logger: tx.logger)
        }
        guard found else { throw Self.notFound }
        runtime.logger.notice("webhook secret rotated", metadata: ["subscriptionId": "\(id)", "graceHours": "\(graceHours)", "by": "\(context.actingUser)"])
        var view = try await self.view(id)
        view.secret = secret
        return try Response.json(view)
    }

    func deliveries(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.subscriptionID(context)
        let query = request.queryDictionary
        var check = RequestCheck()
        if let status = query["status"], !DeliveryStore.statuses.contains(status) { check.fail("status", "one of \(DeliveryStore.statuses.joined(separator: ", "))") }
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        if let before = query["before"], Int64(before).map({ $0 > 0 }) != true { check.fail("before", "a delivery id") }
        if let raw = query["limit"], Int(raw).map({ (1...1_000).contains($0) }) != true { check.fail("limit", "1-1000") }
        try check.check()
        _ = try await view(id)
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection {
            try await DeliveryStore.list(subscription: id, status: query["status"], orderID: query["orderId"], before: query["before"].flatMap { Int64($0) },
                                         limit: query["limit"].flatMap { Int($0) } ?? 100, connection: $0, logger: logger)
        }
        return try Response.json(["deliveries": rows])
    }

    func redeliverFailed(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.subscriptionID(context)
        guard let text = request.queryDictionary["failedSince"], let since = Timestamps.parse(text) else {
            throw APIError.validation([.init(field: "failedSince", reason: "required: an ISO 8601 UTC instant, e.g. 2026-12-06T08:00:00Z")])
        }
        _ = try await view(id)
        let count = try await runtime.retryingTransaction { tx in
            try await DeliveryStore.redeliverFailed(subscription: id, since: since, connection: tx.connection, logger: tx.logger)
        }
        runtime.logger.notice("failed webhook deliveries queued again", metadata: ["subscriptionId": "\(id)", "count": "\(count)", "by": "\(context.actingUser)"])
        return try Response.json(["subscriptionId": id, "requeued": "\(count)"], status: .accepted)
    }

    func showDelivery(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await delivery(try Self.deliveryID(context)))
    }

    func redeliver(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.deliveryID(context)
        let requeued = try await runtime.retryingTransaction { tx in try await DeliveryStore.redeliver(id, connection: tx.connection, logger: tx.logger) }
        let view = try await delivery(id)
        guard requeued else { throw APIError.conflict("not_redeliverable", "delivery \(id) is \(view.status); only a failed, gone or delivered one is sent again") }
        return try Response.json(view, status: .accepted)
    }

    // MARK: helpers

    private func setStatus(_ status: WebhookSubscription.Status, reason: String?, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.subscriptionID(context)
        let found = try await runtime.retryingTransaction { tx in
            try await SubscriptionStore.setStatus(id, status, reason: reason, connection: tx.connection, logger: tx.logger)
        }
        guard found else { throw Self.notFound }
        runtime.logger.notice("webhook subscription status set", metadata: ["subscriptionId": "\(id)", "status": "\(status.rawValue)", "by": "\(context.actingUser)"])
        return try Response.json(try await view(id))
    }

    private func view(_ id: String) async throws -> SubscriptionView {
        let logger = runtime.logger
        let (found, backlog) = try await runtime.database.client.withConnection { connection in
            (try await SubscriptionStore.find(id, connection: connection, logger: logger), try await DeliveryStore.backlog(of: id, connection: connection, logger: logger))
        }
        guard let found else { throw Self.notFound }
        return SubscriptionView(subscription: found, backlog: backlog.first)
    }

    private func delivery(_ id: Int64) async throws -> DeliveryStore.View {
        let logger = runtime.logger
        guard let view = try await runtime.database.client.withConnection({ try await DeliveryStore.find(id, connection: $0, logger: logger) }) else {
            throw APIError(.notFound, code: "delivery_not_found", message: "no delivery \(id)")
        }
        return view
    }

    static let notFound = APIError(.notFound, code: "subscription_not_found", message: "no such webhook subscription")

    static func subscriptionID(_ context: OMSRequestContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard id.count <= 64 else { throw notFound }
        return id
    }

    static func deliveryID(_ context: OMSRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
            throw APIError.validation([.init(field: "id", reason: "a delivery id (a positive integer)")])
        }
        return id
    }

    static func check(_ body: SubscriptionRequest) throws {
        var check = RequestCheck()
        check.text(body.name, "name")
        if let problem = WebhookEndpointRule.problem(with: body.url) { check.fail("url", problem) }
        if body.eventTypes.isEmpty || body.eventTypes.count > 100 { check.fail("eventTypes", "1-100 event types") }
        for (index, type) in body.eventTypes.enumerated() where !WebhookSubscription.subscribableEventTypes.contains(type) {
            check.fail("eventTypes[\(index)]", "not an event type; one of \(WebhookSubscription.subscribableEventTypes.joined(separator: ", "))")
            break
        }
        if let channel = body.channel, OMSDomain.Channel(rawValue: channel) == nil {
            check.fail("channel", "one of \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try check.check()
    }

    static func randomID() -> String {
        String((0..<16).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }
}
