import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Manual review for risk and customer-service staff:
/// `GET /v1/review/queue` (filters `rule`, `channel`, `olderThanMinutes`, `overdue=true`),
/// `GET /v1/review/orders/{id}`, `POST /v1/review/orders/{id}/approve|reject`
/// (`{note}`; idempotent; a decided order cannot be decided otherwise: 409) and
/// `POST /v1/review/orders/{id}/contacts` (`{note, recipientName?, recipientPhone?,
/// deliveryAddress?}`: records the call; corrections emit `order.amended`). The reviewer recorded
/// is the authenticated caller; a `reviewerId` in the body is ignored (kept for old clients).
/// Also the policy (`GET|PUT /v1/risk/policy`) and deny lists (`POST /v1/risk/deny-list`, stored
/// as keyed hashes only).
struct ReviewRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let hasher: PIIHasher
    /// Held longer than this is overdue (`OMS_REVIEW_SLA_MINUTES`).
    let slaMinutes: Int

    struct QueueEntry: Codable, Sendable {
        var orderId: String
        var channel: String
        var score: Int
        var rules: [String]
        var heldAt: Date
        var ageMinutes: Int
        var overdue: Bool
    }

    struct DecisionView: Codable, Sendable {
        var orderId: String
        var channel: String
        var status: String
        var score: Int
        var findings: [RiskFinding]
        var decidedBy: String?
        var heldAt: Date?
        var decidedAt: Date?
        var note: String?
        var recipientName: String
        var recipientPhone: String
        var deliveryRegion: String?
        var totalFen: Int64
        var contacts: [Contact]
    }

    struct Contact: Codable, Sendable {
        var reviewer: String
        var note: String
        var amended: Bool
        var at: Date
    }

    struct DecisionRequest: Codable, Sendable {
        var reviewerId: String?
        var note: String?
    }

    struct ContactRequest: Codable, Sendable {
        var reviewerId: String?
        var note: String
        var recipientName: String?
        var recipientPhone: String?
        var deliveryAddress: Address?
    }

    struct DenyRequest: Codable, Sendable {
        /// phone | address
        var kind: String
        var phone: String?
        var address: Address?
        var reason: String
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/risk/policy", [.risk, .ops], "The risk scoring policy", use: showPolicy),
        .put("/v1/risk/policy", [.risk], "Set the risk scoring policy", use: putPolicy),
        .post("/v1/risk/deny-list", [.risk], "Add phones, addresses or devices to the deny list", use: addToDenyList),
        .get("/v1/review/queue", [.risk], "Orders held for manual review, oldest first", use: queue),
        .get("/v1/review/orders/:id", [.risk], "One held order with its findings", use: showReview),
        .post("/v1/review/orders/:id/approve", [.risk], "Approve a held order", use: approve),
        .post("/v1/review/orders/:id/reject", [.risk], "Reject a held order", use: reject),
        .post("/v1/review/orders/:id/contacts", [.risk], "Record a call to the customer about a held order", use: recordContact),
        .post("/v1/review/orders/:id/reveal-phone", [.risk], "The held order's full phone number, to call the customer (audited)", body: .none, use: revealPhone),
    ]

    func showPolicy(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let policy = try await runtime.database.client.withConnection { try await RiskPolicyStore.current(on: $0, logger: runtime.logger) }
        return try Response.json(policy)
    }

    func putPolicy(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let policy = try await request.decodeJSON(as: RiskPolicy.self, context: context)
        guard policy.holdScore > 0, policy.rejectScore > policy.holdScore else {
            throw APIError.validation([.init(field: "rejectScore", reason: "must be above holdScore, which must be positive")])
        }
        let user = context.actingUser
        try await runtime.database.client.withConnection { try await RiskPolicyStore.save(policy, by: user, on: $0, logger: runtime.logger) }
        return try Response.json(policy)
    }

    func addToDenyList(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: DenyRequest.self, context: context)
        let hash: String
        switch (body.kind, body.phone, body.address) {
        case ("phone", let phone?, nil) where Customer.isMainlandMobile(phone): hash = hasher.phone(phone)
        case ("address", nil, let address?) where !address.street.isEmpty: hash = hasher.address(address)
        default: throw APIError.validation([.init(field: "kind", reason: "phone with a mainland mobile number, or address with an address")])
        }
        guard !body.reason.trimmingCharacters(in: .whitespaces).isEmpty, body.reason.count <= 500 else {
            throw APIError.validation([.init(field: "reason", reason: "required, at most 500 characters")])
        }
        try await runtime.database.client.withConnection {
            try await ReviewStore.deny(kind: body.kind, valueHash: hash, reason: body.reason, connection: $0, logger: runtime.logger)
        }
        return try Response.json(["kind": body.kind, "status": "denied"], status: .created)
    }

    func queue(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(["orders": try await queue(request.queryDictionary)])
    }

    func showReview(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await view(context.parameters.get("id") ?? ""))
    }

    func approve(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: DecisionRequest.self, context: context)
        return try Response.json(try await decide(context.parameters.get("id") ?? "", approve: true, body, reviewer: context.actingUser))
    }

    func reject(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: DecisionRequest.self, context: context)
        return try Response.json(try await decide(context.parameters.get("id") ?? "", approve: false, body, reviewer: context.actingUser))
    }

    func recordContact(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ContactRequest.self, context: context)
        return try Response.json(try await contact(context.parameters.get("id") ?? "", body, reviewer: context.actingUser), status: .created)
    }

    /// The full number a reviewer calls. A POST so that every reveal lands in `access_audit` with
    /// the person who asked; only for an order still in review (held).
    func revealPhone(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let found = try await runtime.database.client.withConnection { try await ReviewStore.decision(id, connection: $0, logger: runtime.logger) }
        guard let decision = found else { throw APIError.notFound("review decision") }
        guard decision.status == "held" else {
            throw APIError.conflict("not_in_review", "the order is \(decision.status); its phone is revealed only while it is held for review")
        }
        let order = try runtime.database.vault.open(decision.sealedOrder)
        runtime.logger.notice("phone revealed to a reviewer", metadata: ["orderId": "\(id)", "reviewer": "\(context.actingUser)"])
        return try Response.json(["orderId": id, "recipientPhone": order.customer.phone])
    }

    func queue(_ query: [String: String]) async throws -> [QueueEntry] {
        var issues: [APIError.FieldError] = []
        let channel = query["channel"]
        if let channel, OMSDomain.Channel(rawValue: channel) == nil { issues.append(.init(field: "channel", reason: "unknown channel")) }
        let olderThan = query["olderThanMinutes"].map { Int($0) }
        if let olderThan, olderThan == nil || olderThan! < 0 { issues.append(.init(field: "olderThanMinutes", reason: "must be a non-negative integer")) }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        var minimumAge = (olderThan ?? 0) ?? 0
        if query["overdue"] == "true" { minimumAge = max(minimumAge, slaMinutes) }
        let held = try await runtime.database.client.withConnection {
            try await ReviewStore.queue(channel: channel, rule: query["rule"], minimumAgeMinutes: minimumAge, connection: $0, logger: runtime.logger)
        }
        let now = Date()
        return held.map { row in
            let age = Int(now.timeIntervalSince(row.heldAt) / 60)
            return QueueEntry(orderId: row.orderID, channel: row.channel, score: row.score, rules: row.findings.map(\.rule), heldAt: row.heldAt,
                              ageMinutes: age, overdue: age >= slaMinutes)
        }
    }

    func view(_ id: String) async throws -> DecisionView {
        let logger = runtime.logger
        let (found, contacts) = try await runtime.database.client.withConnection { connection in
            (try await ReviewStore.decision(id, connection: connection, logger: logger), try await ReviewStore.contacts(id, connection: connection, logger: logger))
        }
        guard let decision = found else { throw APIError.notFound("review decision") }
        let order = try runtime.database.vault.open(decision.sealedOrder)
        return DecisionView(orderId: id, channel: decision.channel, status: decision.status, score: decision.score, findings: decision.findings,
                            decidedBy: decision.decidedBy, heldAt: decision.heldAt, decidedAt: decision.decidedAt, note: decision.note,
                            recipientName: PIIMask.name(order.customer.name), recipientPhone: PIIMask.phone(order.customer.phone),
                            deliveryRegion: order.deliveryAddress.map { "\($0.province) \($0.city)" }, totalFen: order.total.minorUnits,
                            contacts: contacts.map { Contact(reviewer: $0.reviewer, note: $0.note, amended: $0.amended, at: $0.at) })
    }

    private enum Outcome: Sendable {
        case decided, alreadyThat
        case conflict(String)
        case notFound
    }

    func decide(_ id: String, approve: Bool, _ request: DecisionRequest, reviewer: String) async throws -> DecisionView {
        if let note = request.note, note.count > 1_000 { throw APIError.validation([.init(field: "note", reason: "at most 1000 characters")]) }
        let target = approve ? "verified" : "rejected"
        let outcome = try await runtime.database.transaction(logger: runtime.logger) { tx -> Outcome in
            guard let decision = try await ReviewStore.locked(id, connection: tx.connection, logger: tx.logger) else { return .notFound }
            if decision.status == target { return .alreadyThat }
            guard decision.status == "held" else { return .conflict(decision.status) }
            let (score, findings) = (decision.score, decision.findings)
            let order = try runtime.database.vault.open(decision.sealedOrder)
            let now = Date()
            try await ReviewStore.recordDecision(id, status: target, by: reviewer, at: now, note: request.note, connection: tx.connection, logger: tx.logger)
            if approve {
                try tx.emit(OrderVerified(orderID: id, score: score, findings: findings, decidedBy: reviewer, verifiedAt: now, order: order),
                            orderID: id, topic: TopicCatalogue.riskDecisions)
            } else {
                // The reviewer's note stays in the risk schema (free text may hold personal data).
                let reasons = [RejectionReason(code: "manual_review", message: "rejected on review; rules: \(findings.map(\.rule).joined(separator: ", "))")]
                try tx.emit(OrderRejected(orderID: id, channel: order.channel, channelOrderID: order.channelOrderID, reasons: reasons, rejectedAt: now),
                            orderID: id, topic: TopicCatalogue.riskDecisions)
            }
            return .decided
        }
        switch outcome {
        case .decided, .alreadyThat:
            runtime.metrics.count("oms_review_decisions_total", [("outcome", target)])
            return try await view(id)
        case .notFound:
            throw APIError.notFound("review decision")
        case .conflict(let status):
            throw APIError.conflict("already_decided", "the order is \(status); a decided order cannot be decided again")
        }
    }

    func contact(_ id: String, _ request: ContactRequest, reviewer: String) async throws -> DecisionView {
        var issues: [APIError.FieldError] = []
        if request.note.trimmingCharacters(in: .whitespaces).isEmpty || request.note.count > 1_000 { issues.append(.init(field: "note", reason: "required, at most 1000 characters")) }
        issues += OrderAmended.problems(recipientName: request.recipientName, recipientPhone: request.recipientPhone, deliveryAddress: request.deliveryAddress)
            .map { APIError.FieldError(field: $0.field, reason: $0.reason) }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let amends = request.recipientName != nil || request.recipientPhone != nil || request.deliveryAddress != nil
        let outcome = try await runtime.database.transaction(logger: runtime.logger) { tx -> Outcome in
            guard let decision = try await ReviewStore.locked(id, connection: tx.connection, logger: tx.logger) else { return .notFound }
            if amends && (decision.status == "rejected" || decision.status == "cancelled") { return .conflict(decision.status) }
            try await ReviewStore.addContact(id, reviewer: reviewer, note: request.note, amended: amends, connection: tx.connection, logger: tx.logger)
            guard amends else { return .decided }
            let amendment = OrderAmended(orderID: id, recipientName: request.recipientName, recipientPhone: request.recipientPhone,
                                         deliveryAddress: request.deliveryAddress, amendedBy: reviewer, amendedAt: Date())
            let order = amendment.applied(to: try runtime.database.vault.open(decision.sealedOrder))
            try await ReviewStore.replaceOrder(id, with: runtime.database.vault.seal(order), connection: tx.connection, logger: tx.logger)
            try tx.emit(amendment, orderID: id, topic: TopicCatalogue.riskDecisions)
            return .decided
        }
        switch outcome {
        case .decided, .alreadyThat: return try await view(id)
        case .notFound: throw APIError.notFound("review decision")
        case .conflict(let status): throw APIError.conflict("order_closed", "the order is \(status); its details can no longer be amended")
        }
    }
}
