import Foundation
import HTTPTypes
import Logging
import PostgresNIO

/// The audit trail of staff changes in one service's schema (`access_audit`): who (principal and
/// role), what (method and path, never the body or query string) and the outcome (status). A
/// failed write is logged and does not fail the request, whose change is already committed.
public struct AccessAudit: Sendable {
    let client: PostgresClient
    let logger: Logger

    func record(_ principal: Principal, method: HTTPRequest.Method, path: String, status: Int) async {
        let pathText = String(path.prefix(512))
        do {
            try await client.query("""
                INSERT INTO access_audit (principal, role, method, path, status)
                VALUES (\(principal.name), \(principal.role.rawValue), \(method.rawValue), \(pathText), \(status))
                """, logger: logger)
        } catch {
            logger.error("audit record not written", metadata: ["principal": "\(principal.name)", "path": "\(pathText.prefix(200))", "error": "\(String(reflecting: error).prefix(300))"])
        }
    }

    /// One audit row as served by `GET /v1/audit`.
    public struct Entry: Codable, Sendable {
        public var id: Int64
        public var at: Date
        public var principal: String
        public var role: String
        public var method: String
        public var path: String
        public var status: Int
    }

    func entries(principal: String?, afterID: Int64, limit: Int) async throws -> [Entry] {
        let rows = try await client.query("""
            SELECT id, at, principal, role, method, path, status FROM access_audit
            WHERE id > \(afterID) AND (\(principal ?? "")::text = '' OR principal = \(principal ?? ""))
            ORDER BY id LIMIT \(limit)
            """, logger: logger)
        var entries: [Entry] = []
        for try await (id, at, who, role, method, path, status) in rows.decode((Int64, Date, String, String, String, String, Int).self) {
            entries.append(Entry(id: id, at: at, principal: who, role: role, method: method, path: path, status: status))
        }
        return entries
    }
}
