import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Customer notifications for customer service and ops:
/// - `GET /v1/notifications?orderId=` (an order's messages: what was sent, when, to whom masked,
///   why not), `?status=&messageType=&limit=` (ops); `GET …/{id}`; `POST …/{id}/retry` (a failed one);
/// - `GET /v1/notifications/summary?sinceHours=` (counts by type, medium and status);
/// - `GET /v1/notifications/templates`, `PUT …/templates/{messageType}/{language}` (variables
///   checked: an unknown one is a 422), `POST …/templates/{messageType}/{language}/reset`;
/// - `GET /v1/notifications/settings`, `PUT …/settings/{messageType}` (media, sales channels);
/// - `POST /v1/notifications/opt-outs`, `…/opt-outs/withdraw`, `…/opt-outs/lookup` (phone or
///   e-mail in the body, never in a URL; stored only as a keyed hash and masked).
struct NotificationRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let hasher: PIIHasher

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/notifications", [.ops, .customerService], "Customer messages (?orderId, or ?status, messageType, limit): type, medium, masked recipient, status, reason", use: list),
        .get("/v1/notifications/summary", [.ops], "Messages by type, medium and status (?sinceHours, default 24)", use: summary),
        .get("/v1/notifications/templates", [.ops, .customerService], "Every message type's templates per language (built-in or edited) and its variables", use: templates),
        .put("/v1/notifications/templates/:messageType/:language", [.ops], "Save a template: SMS code and text, e-mail subject, text, HTML; unknown variables are refused", use: putTemplate),
        .post("/v1/notifications/templates/:messageType/:language/reset", [.ops], "Go back to the built-in template", body: .none, use: resetTemplate),
        .get("/v1/notifications/settings", [.ops, .customerService], "Per message type: SMS, e-mail, which sales channels", use: settings),
        .put("/v1/notifications/settings/:messageType", [.ops], "Choose a message type's media and sales channels", use: putSetting),
        .post("/v1/notifications/opt-outs", [.ops, .customerService], "A customer (phone or e-mail) wants no messages of a kind", use: optOut),
        .post("/v1/notifications/opt-outs/withdraw", [.ops, .customerService], "A customer wants a kind of message again", use: withdraw),
        .post("/v1/notifications/opt-outs/lookup", [.ops, .customerService], "A customer's opt-outs", use: lookup),
        .get("/v1/notifications/:notificationId", [.ops, .customerService], "One message", use: show),
        .post("/v1/notifications/:notificationId/retry", [.ops], "Send a failed message again, with fresh attempts", body: .none, use: retry),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        if let status = query["status"], !NotificationStore.statuses.contains(status) { check.fail("status", "one of \(NotificationStore.statuses.joined(separator: ", "))") }
        if let type = query["messageType"], NotificationMessageType(rawValue: type) == nil { check.fail("messageType", "one of \(Self.typeNames)") }
        let limit = MarketplaceRoutes.limit(query, &check)
        try check.check()
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection { connection in
            if let order = query["orderId"] { return try await NotificationStore.log(orderID: order, connection: connection, logger: logger) }
            return try await NotificationStore.list(status: query["status"], type: query["messageType"], limit: limit, connection: connection, logger: logger)
        }
        return try Response.json(["notifications": rows])
    }

    func summary(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        var check = RequestCheck()
        var hours = 24
        if let raw = request.queryDictionary["sinceHours"] {
            if let value = Int(raw), (1...24 * 90).contains(value) { hours = value } else { check.fail("sinceHours", "1-2160") }
        }
        try check.check()
        let since = Date().addingTimeInterval(-Double(hours) * 3_600)
        let logger = runtime.logger
        let counts = try await runtime.database.client.withConnection { try await NotificationStore.counts(since: since, connection: $0, logger: logger) }
        struct Row: Codable { var messageType: String; var medium: String; var status: String; var count: Int }
        struct Summary: Codable { var since: Date; var counts: [Row] }
        return try Response.json(Summary(since: since, counts: counts.map { Row(messageType: $0.type, medium: $0.medium, status: $0.status, count: $0.count) }))
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await notification(try Self.notificationID(context)))
    }

    func retry(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.notificationID(context)
        let requeued = try await runtime.retryingTransaction { tx in try await NotificationStore.retry(id, connection: tx.connection, logger: tx.logger) }
        let view = try await notification(id)
        guard requeued else { throw APIError.conflict("not_retryable", "the message is \(view.status); only a failed one is sent again") }
        runtime.logger.notice("failed notification queued again", metadata: ["notificationId": "\(id)", "by": "\(context.actingUser)"])
        return try Response.json(view, status: .accepted)
    }

    // MARK: templates

    /// A template as ops see and send it.
    struct TemplateBody: Codable, Sendable {
        var smsTemplateCode: String?
        var smsText: String?
        var emailSubject: String
        var emailText: String
        var emailHtml: String?
    }

    struct TemplateView: Codable, Sendable {
        var messageType: String
        var language: String
        var kind: String
        var variables: [String]
        var smsTemplateCode: String
        var smsText: String
        var emailSubject: String
        var emailText: String
        var emailHtml: String
        var version: Int
        var source: String

        init(_ template: NotificationTemplate) {
            messageType = template.messageType.rawValue
            language = template.language
            kind = template.messageType.kind.rawValue
            variables = template.messageType.variables
            smsTemplateCode = template.smsTemplateCode
            smsText = template.smsText
            emailSubject = template.emailSubject
            emailText = template.emailText
            emailHtml = template.emailHTML
            version = template.version
            source = template.version == 0 ? "default" : "edited"
        }
    }

    func templates(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let logger = runtime.logger
        let all = try await runtime.database.client.withConnection {
            try await NotificationTemplateStore.templates(NotificationMessageType.allCases, connection: $0, logger: logger)
        }
        let views = NotificationMessageType.allCases.flatMap { type in NotificationTemplate.languages.compactMap { all[type.rawValue + "|" + $0] } }.map(TemplateView.init)
        return try Response.json(["templates": views])
    }

    func putTemplate(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let (type, language) = try Self.templateKey(context)
        let body = try await request.decodeJSON(as: TemplateBody.self, context: context)
        let template = NotificationTemplate(messageType: type, language: language, smsTemplateCode: body.smsTemplateCode ?? "", smsText: body.smsText ?? "",
                                            emailSubject: body.emailSubject, emailText: body.emailText, emailHTML: body.emailHtml ?? "", version: 0)
        var check = RequestCheck()
        for problem in template.problems { check.fail(problem.field, problem.reason) }
        try check.check()
        let user = context.actingUser
        let saved = try await runtime.retryingTransaction { tx in
            try await NotificationTemplateStore.save(template, by: user, connection: tx.connection, logger: tx.logger)
        }
        runtime.logger.notice("notification template saved", metadata: ["messageType": "\(type.rawValue)", "language": "\(language)", "version": "\(saved.version)", "by": "\(user)"])
        return try Response.json(TemplateView(saved))
    }

    func resetTemplate(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let (type, language) = try Self.templateKey(context)
        let removed = try await runtime.retryingTransaction { tx in
            try await NotificationTemplateStore.reset(type, language: language, connection: tx.connection, logger: tx.logger)
        }
        guard removed else { throw APIError.conflict("not_edited", "\(type.rawValue) in \(language) uses the built-in template already") }
        return try Response.json(TemplateView(.builtIn(type, language: language)))
    }

    // MARK: settings

    struct SettingBody: Codable, Sendable {
        var sms: Bool
        var email: Bool
        var salesChannels: [String]
    }

    func settings(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let logger = runtime.logger
        let all = try await runtime.database.client.withConnection { try await NotificationTemplateStore.settings(connection: $0, logger: logger) }
        return try Response.json(["settings": NotificationMessageType.allCases.compactMap { all[$0] }])
    }

    func putSetting(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SettingBody.self, context: context)
        var check = RequestCheck()
        let type = NotificationMessageType(rawValue: context.parameters.get("messageType") ?? "")
        if type == nil { check.fail("messageType", "one of \(Self.typeNames)") }
        let channels = Channel.allCases.map(\.rawValue)
        for (index, channel) in body.salesChannels.enumerated() where !channels.contains(channel) {
            check.fail("salesChannels[\(index)]", "one of \(channels.joined(separator: ", "))")
        }
        if Set(body.salesChannels).count != body.salesChannels.count { check.fail("salesChannels", "each channel once") }
        try check.check()
        guard let type else { throw APIError(.unprocessableContent, code: "invalid_request", message: "unknown message type") }
        let setting = NotificationSetting(messageType: type, sms: body.sms, email: body.email, salesChannels: body.salesChannels, source: "edited")
        let user = context.actingUser
        try await runtime.retryingTransaction { tx in try await NotificationTemplateStore.saveSetting(setting, by: user, connection: tx.connection, logger: tx.logger) }
        return try Response.json(setting)
    }

    // MARK: opt-outs

    struct OptOutBody: Codable, Sendable {
        var phone: String?
        var email: String?
        /// service (default) or marketing.
        var kind: String?
    }

    /// The recipient's keyed hash, medium and masked form, and the kind; 422 naming what is wrong.
    func recipient(_ body: OptOutBody, needsKind: Bool) throws -> (hash: String, medium: NotificationMedium, masked: String, kind: NotificationMessageType.Kind) {
        var check = RequestCheck()
        let kind = NotificationMessageType.Kind(rawValue: body.kind ?? "service")
        if needsKind && kind == nil { check.fail("kind", "service or marketing") }
        switch (body.phone, body.email) {
        case (let phone?, nil):
            if !Customer.isMainlandMobile(phone) { check.fail("phone", "a mainland mobile number: 11 digits starting 1[3-9]") }
            try check.check()
            return (hasher.phone(phone), .sms, PIIMask.phone(phone), kind ?? .service)
        case (nil, let email?):
            let lowered = email.lowercased()
            if !EmailAddress.isDeliverable(lowered) { check.fail("email", "a deliverable e-mail address") }
            try check.check()
            return (hasher.hash(lowered, purpose: "email"), .email, NotificationSender.maskEmail(lowered), kind ?? .service)
        default:
            check.fail("phone", "give either phone or email")
            try check.check()
            throw APIError(.unprocessableContent, code: "invalid_request", message: "give either phone or email")
        }
    }

    func optOut(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: OptOutBody.self, context: context)
        let who = try recipient(body, needsKind: true)
        let user = context.actingUser
        let created = try await runtime.retryingTransaction { tx in
            try await NotificationTemplateStore.optOut(hash: who.hash, kind: who.kind, medium: who.medium, masked: who.masked, by: user, connection: tx.connection, logger: tx.logger)
        }
        runtime.logger.notice("customer opted out of notifications", metadata: ["recipient": "\(who.masked)", "kind": "\(who.kind.rawValue)", "by": "\(user)"])
        return try Response.json(["recipient": who.masked, "kind": who.kind.rawValue, "status": "opted_out"], status: created ? .created : .ok)
    }

    func withdraw(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: OptOutBody.self, context: context)
        let who = try recipient(body, needsKind: true)
        let removed = try await runtime.retryingTransaction { tx in
            try await NotificationTemplateStore.optIn(hash: who.hash, kind: who.kind, connection: tx.connection, logger: tx.logger)
        }
        guard removed else { throw APIError(.notFound, code: "opt_out_not_found", message: "\(who.masked) has not opted out of \(who.kind.rawValue) messages") }
        return try Response.json(["recipient": who.masked, "kind": who.kind.rawValue, "status": "opted_in"])
    }

    func lookup(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: OptOutBody.self, context: context)
        let who = try recipient(body, needsKind: false)
        let logger = runtime.logger
        let found = try await runtime.database.client.withConnection { try await NotificationTemplateStore.optOuts(hash: who.hash, connection: $0, logger: logger) }
        struct Lookup: Codable { var recipient: String; var optOuts: [NotificationTemplateStore.OptOut] }
        return try Response.json(Lookup(recipient: who.masked, optOuts: found))
    }

    // MARK: helpers

    static let typeNames = NotificationMessageType.allCases.map(\.rawValue).joined(separator: ", ")

    private func notification(_ id: UUID) async throws -> NotificationStore.View {
        let logger = runtime.logger
        guard let view = try await runtime.database.client.withConnection({ try await NotificationStore.find(id, connection: $0, logger: logger) }) else {
            throw APIError(.notFound, code: "notification_not_found", message: "no notification \(id)")
        }
        return view
    }

    static func notificationID(_ context: OMSRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: context.parameters.get("notificationId") ?? "") else {
            throw APIError(.notFound, code: "notification_not_found", message: "no such notification (ids are UUIDs)")
        }
        return id
    }

    static func templateKey(_ context: OMSRequestContext) throws -> (NotificationMessageType, String) {
        let raw = context.parameters.get("messageType") ?? "", language = context.parameters.get("language") ?? ""
        var check = RequestCheck()
        let type = NotificationMessageType(rawValue: raw)
        if type == nil { check.fail("messageType", "one of \(typeNames)") }
        if !NotificationTemplate.languages.contains(language) { check.fail("language", "one of \(NotificationTemplate.languages.joined(separator: ", "))") }
        try check.check()
        return (type!, language)
    }
}
