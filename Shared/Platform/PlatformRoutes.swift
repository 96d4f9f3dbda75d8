import Foundation
import Hummingbird
import NIOCore
import OMSDomain

/// The routes every service serves besides its own: liveness and readiness probes, Prometheus
/// metrics, the service's API document and (for ops) its access audit trail. Invariant: probes,
/// metrics and the API document are open (they sit inside the cluster and carry no business data).
public struct PlatformRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let audit: AccessAudit
    let apiDocument: [UInt8]
    let refresh: @Sendable (ServiceRuntime) async throws -> Void

    public static let endpoints: [Endpoint<Self>] = [
        .get("/health/live", .open, "Liveness: the process answers", use: live),
        .get("/health/ready", .open, "Readiness: database and broker reachable, migrations done", use: ready),
        .get("/metrics", .open, "Prometheus metrics (text format)", use: metrics),
        .get("/openapi.json", .open, "This service's API document (OpenAPI 3.1)", use: openAPI),
        .get("/v1/audit", [.ops], "Access audit trail, oldest first (?after, limit, principal)", use: auditTrail),
    ]

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
        var checks: [String: String] = [:]
        do {
            try await runtime.database.client.query("SELECT 1", logger: runtime.logger)
            checks["database"] = "ok"
        } catch {
            checks["database"] = "unreachable"
        }
        do {
            _ = try await runtime.admin.partitionCounts(topics: [runtime.configuration.topics.physical(TopicCatalogue.orders)], timeout: .seconds(2))
            checks["broker"] = "ok"
        } catch {
            checks["broker"] = "unreachable"
        }
        let ready = checks.values.allSatisfy { $0 == "ok" }
        checks["status"] = ready ? "ready" : "not_ready"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(checks)
        return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
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
