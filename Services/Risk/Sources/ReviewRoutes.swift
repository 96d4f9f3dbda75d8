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
        try await runtime.database.client.query("""
            INSERT INTO deny_list (kind, value_hash, reason) VALUES (\(body.kind), \(hash), \(body.reason))
            ON CONFLICT (kind, value_hash) DO UPDATE SET reason = excluded.reason
            """, logger: runtime.logger)
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

    func queue(_ query: [String: String]) async throws -> [QueueEntry] {
        var issues: [APIError.FieldError] = []
        let channel = query["channel"]
        if let channel, OMSDomain.Channel(rawValue: channel) == nil { issues.append(.init(field: "channel", reason: "unknown channel")) }
        let olderThan = query["olderThanMinutes"].map { Int($0) }
        if let olderThan, olderThan == nil || olderThan! < 0 { issues.append(.init(field: "olderThanMinutes", reason: "must be a non-negative integer")) }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        var minimumAge = (olderThan ?? 0) ?? 0
        if query["overdue"] == "true" { minimumAge = max(minimumAge, slaMinutes) }
        let rows = try await runtime.database.client.query("""
            SELECT order_id, channel, score, findings::text, held_at FROM decisions
            WHERE status = 'held' AND (\(channel)::text IS NULL OR channel = \(channel))
              AND held_at <= now() - make_interval(mins => \(Int32(clamping: minimumAge)))
              AND (\(query["rule"])::text IS NULL OR findings @> jsonb_build_array(jsonb_build_object('rule', \(query["rule"])::text)))
            ORDER BY held_at LIMIT 500
            """, logger: runtime.logger)
        let now = Date()
        var entries: [QueueEntry] = []
        for try await (id, channel, score, findings, heldAt) in rows.decode((String, String, Int, String, Date).self) {
            let age = Int(now.timeIntervalSince(heldAt) / 60)
            let rules = ((try? EventCoding.decode([RiskFinding].self, from: Array(findings.utf8))) ?? []).map(\.rule)
            entries.append(QueueEntry(orderId: id, channel: channel, score: score, rules: rules, heldAt: heldAt, ageMinutes: age, overdue: age >= slaMinutes))
        }
        return entries
    }

    func view(_ id: String) async throws -> DecisionView {
        let logger = runtime.logger
        let rows = try await runtime.database.client.query("""
            SELECT channel, status, score, findings::text, decided_by, held_at, decided_at, reviewer_note, order_body::text FROM decisions WHERE order_id = \(id)
            """, logger: logger)
        for try await (channel, status, score, findings, decidedBy, heldAt, decidedAt, note, body) in rows.decode((String, String, Int, String, String?, Date?, Date?, String?, String).self) {
            let order = try runtime.database.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
            var view = DecisionView(orderId: id, channel: channel, status: status, score: score,
                                    findings: (try? EventCoding.decode([RiskFinding].self, from: Array(findings.utf8))) ?? [],
                                    decidedBy: decidedBy, heldAt: heldAt, decidedAt: decidedAt, note: note,
                                    recipientName: PIIMask.name(order.customer.name), recipientPhone: PIIMask.phone(order.customer.phone),
                                    deliveryRegion: order.deliveryAddress.map { "\($0.province) \($0.city)" }, totalFen: order.total.minorUnits, contacts: [])
            let contacts = try await runtime.database.client.query("SELECT reviewer, note, amended, contacted_at FROM review_contacts WHERE order_id = \(id) ORDER BY id", logger: logger)
            for try await (reviewer, note, amended, at) in contacts.decode((String, String, Bool, Date).self) {
                view.contacts.append(Contact(reviewer: reviewer, note: note, amended: amended, at: at))
            }
            return view
        }
        throw APIError.notFound("review decision")
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
            let rows = try await tx.connection.query("SELECT status, score, findings::text, order_body::text FROM decisions WHERE order_id = \(id) FOR UPDATE", logger: tx.logger)
            var found: (String, Int, String, String)?
            for try await row in rows.decode((String, Int, String, String).self) { found = row }
            guard let (status, score, findingsText, body) = found else { return .notFound }
            if status == target { return .alreadyThat }
            guard status == "held" else { return .conflict(status) }
            let findings = (try? EventCoding.decode([RiskFinding].self, from: Array(findingsText.utf8))) ?? []
            let order = try runtime.database.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
            let now = Date()
            try await tx.connection.query("""
                UPDATE decisions SET status = \(target), decided_by = \(reviewer), decided_at = \(now), reviewer_note = \(request.note) WHERE order_id = \(id)
                """, logger: tx.logger)
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
        if let phone = request.recipientPhone, !Customer.isMainlandMobile(phone) {
            issues.append(.init(field: "recipientPhone", reason: "must be an 11-digit mainland mobile number starting 13-19"))
        }
        if let name = request.recipientName, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 {
            issues.append(.init(field: "recipientName", reason: "1-100 characters"))
        }
        if let address = request.deliveryAddress {
            for (field, value) in [("province", address.province), ("city", address.city), ("district", address.district), ("street", address.street)]
            where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
                issues.append(.init(field: "deliveryAddress.\(field)", reason: "required, at most 200 characters"))
            }
            if !address.hasValidPostalCode { issues.append(.init(field: "deliveryAddress.postalCode", reason: "must be six digits")) }
        }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let amends = request.recipientName != nil || request.recipientPhone != nil || request.deliveryAddress != nil
        let outcome = try await runtime.database.transaction(logger: runtime.logger) { tx -> Outcome in
            let rows = try await tx.connection.query("SELECT status, order_body::text FROM decisions WHERE order_id = \(id) FOR UPDATE", logger: tx.logger)
            var found: (String, String)?
            for try await row in rows.decode((String, String).self) { found = row }
            guard let (status, body) = found else { return .notFound }
            if amends && (status == "rejected" || status == "cancelled") { return .conflict(status) }
            try await tx.connection.query("""
                INSERT INTO review_contacts (order_id, reviewer, note, amended) VALUES (\(id), \(reviewer), \(request.note), \(amends))
                """, logger: tx.logger)
            guard amends else { return .decided }
            var order = try runtime.database.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
            if let name = request.recipientName { order.customer.name = name }
            if let phone = request.recipientPhone { order.customer.phone = phone }
            if let address = request.deliveryAddress { order.deliveryAddress = address }
            let updated = String(decoding: try EventCoding.encode(runtime.database.vault.seal(order)), as: UTF8.self)
            try await tx.connection.query("UPDATE decisions SET order_body = \(updated)::jsonb WHERE order_id = \(id)", logger: tx.logger)
            try tx.emit(OrderAmended(orderID: id, recipientName: request.recipientName, recipientPhone: request.recipientPhone,
                                     deliveryAddress: request.deliveryAddress, amendedBy: reviewer, amendedAt: Date()),
                        orderID: id, topic: TopicCatalogue.riskDecisions)
            return .decided
        }
        switch outcome {
        case .decided, .alreadyThat: return try await view(id)
        case .notFound: throw APIError.notFound("review decision")
        case .conflict(let status): throw APIError.conflict("order_closed", "the order is \(status); its details can no longer be amended")
        }
    }
}
