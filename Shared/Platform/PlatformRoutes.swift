import Foundation
import Hummingbird
import NIOCore
import OMSDomain

/// The routes every service serves besides its own: liveness and readiness probes, Prometheus
/// metrics, the service's API document and, for ops, its access audit trail and its pipeline desk
/// (consumer lag, outbox backlog, dead letters and their redrive, as `omsctl status` and `omsctl
/// dlq` show them), so the console can show them over HTTP. Invariant: probes, metrics and the API
/// document are open (they sit inside the cluster and carry no business data); dead-letter
/// previews and reasons are masked (`DeadLetterEntry`).
public struct PlatformRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let audit: AccessAudit
    let apiDocument: [UInt8]
    let consumerGroups: [ConsumerGroupSpec]
    let refresh: @Sendable (ServiceRuntime) async throws -> Void
    let readiness: ReadinessProbe

    public static let endpoints: [Endpoint<Self>] = [
        .get("/health/live", .open, "Liveness: the process answers", use: live),
        .get("/health/ready", .open, "Readiness: database and broker reachable, migrations done", use: ready),
        .get("/metrics", .open, "Prometheus metrics (text format)", use: metrics),
        .get("/openapi.json", .open, "This service's API document (OpenAPI 3.1)", use: openAPI),
        .get("/v1/audit", [.ops], "Access audit trail, oldest first (?after, limit, principal)", use: auditTrail),
        .get("/v1/ops/pipeline", [.ops], "This service's consumer groups with their lag, and its outbox backlog", use: pipeline),
        .get("/v1/ops/dead-letters", [.ops], "This service's dead letters (masked), oldest first, with their state", use: deadLetters),
        .post("/v1/ops/dead-letters/redrive", [.ops], "Send dead letters back to this service (?dryRun=true shows what would go, sends nothing)", use: redrive),
    ]

    /// One consumer group's members and lag (committed offset to high watermark), per the broker;
    /// nil where the broker did not answer (never shown as 0).
    struct GroupLag: Codable, Sendable {
        var group: String
        var members: Int?
        var lag: Int64?
    }

    func pipeline(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let topics = runtime.configuration.topics
        let service = runtime.configuration.service
        var groups: [GroupLag] = []
        for spec in consumerGroups {
            let name = topics.physical("oms.\(service.rawValue).\(spec.suffix)")
            let offsets = try? await runtime.admin.groupOffsets(group: name, topics: (spec.topics + [service.redriveTopic]).map(topics.physical), timeout: .seconds(3))
            let members = try? await runtime.admin.activeMemberCount(group: name, timeout: .seconds(3))
            groups.append(GroupLag(group: name, members: members, lag: offsets.map { $0.reduce(0) { $0 + max(0, $1.high - ($1.committed ?? $1.low)) } }))
        }
        let rows = try await runtime.database.client.query("""
            SELECT count(*) FILTER (WHERE quarantined_at IS NULL)::int8, count(*) FILTER (WHERE quarantined_at IS NOT NULL)::int8 FROM outbox WHERE sent_at IS NULL
            """, logger: runtime.logger)
        var outbox = (pending: 0, quarantined: 0)
        for try await (pending, quarantined) in rows.decode((Int, Int).self) { outbox = (pending, quarantined) }
        struct Answer: Encodable { var service: String; var groups: [GroupLag]; var outboxPending: Int; var outboxQuarantined: Int }
        return try Response.json(Answer(service: service.rawValue, groups: groups, outboxPending: outbox.pending, outboxQuarantined: outbox.quarantined))
    }

    var desk: DeadLetterDesk {
        DeadLetterDesk(brokers: runtime.configuration.kafka.bootstrapServers, namespace: runtime.configuration.topics, logger: runtime.logger)
    }

    func deadLetters(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(["deadLetters": try await desk.entries(of: [runtime.configuration.service])])
    }

    /// `{"ids": ["0:12", ...]}` redrives those open entries (all open ones when `ids` is absent).
    func redrive(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        struct Body: Decodable { var ids: [String]? }
        let body = try await request.decodeJSON(as: Body.self, context: context)
        if let ids = body.ids, ids.isEmpty || ids.count > 1_000 || ids.contains(where: { $0.count > 40 }) {
            throw APIError.validation([.init(field: "ids", reason: "1-1000 entry ids like 0:12, or leave out for every open entry")])
        }
        let dryRun = request.queryDictionary["dryRun"] == "true"
        let wanted = body.ids.map(Set.init)
        let result = try await desk.redrive(service: runtime.configuration.service, dryRun: dryRun) { wanted?.contains($0.id) ?? true }
        runtime.logger.notice("dead letters redriven over HTTP", metadata: ["by": "\(context.actingUser)", "dryRun": "\(dryRun)", "count": "\(result.redriven.count)"])
        struct Answer: Encodable { var dryRun: Bool; var result: DeadLetterDesk.RedriveResult }
        return try Response.json(Answer(dryRun: dryRun, result: result))
    }

    /// The trail, paged by `after` (the last id seen); `principal` filters.
    func auditTrail(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        let after = Int64(query["after"] ?? "0") ?? -1
        if after < 0 { check.fail("after", "must be a non-negative integer") }
        let limit = Int(query["limit"] ?? "100") ?? 0
        if !(1...1_000).contains(limit) { check.fail("limit", "must be 1-1000") }
        let principal = query["principal"]
        if let principal, principal.count > 64 { check.fail("principal", "at most 64 characters") }
        try check.check()
        return try Response.json(["entries": try await audit.entries(principal: principal, afterID: after, limit: limit)])
    }

    func live(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"live"}"#)))
    }

    func ready(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        var checks = await readiness.outcome().checks
        let ready = checks.values.allSatisfy { $0 == "ok" }
        checks["status"] = ready ? "ready" : "not_ready"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(checks)
        return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// What readiness checks: the database answers a statement and the broker answers a metadata
    /// request for the orders topic within 1.5 s (under a probe's usual 2-3 s timeout).
    static func readinessCheck(runtime: ServiceRuntime) -> @Sendable () async -> ReadinessOutcome {
        {
            var checks: [String: String] = [:]
            do {
                try await runtime.database.client.query("SELECT 1", logger: runtime.logger)
                checks["database"] = "ok"
            } catch {
                checks["database"] = "unreachable"
            }
            do {
                _ = try await runtime.admin.partitionCounts(topics: [runtime.configuration.topics.physical(TopicCatalogue.orders)], timeout: .milliseconds(1_500))
                checks["broker"] = "ok"
            } catch {
                checks["broker"] = "unreachable"
            }
            return ReadinessOutcome(checks: checks)
        }
    }

    func metrics(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        do {
            try await refresh(runtime)
        } catch {
            runtime.logger.warning("metrics refresh failed", metadata: ["error": "\(PIIMask.scrub(String(describing: error)))"])
        }
        var buffer: [UInt8] = []
        runtime.metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    func openAPI(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: apiDocument)))
    }
}
