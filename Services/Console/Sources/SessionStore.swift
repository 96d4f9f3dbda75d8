import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of staff sessions: created at sign-in (a new id every time, so an id planted before sign-in
/// is worth nothing), looked up and touched on each request, ended at sign-out or expiry.
struct SessionStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    let idleTimeout: Duration
    let lifetime: Duration

    /// A new session for `staff`; answers the session id for the cookie and the CSRF token.
    func start(staff: String) async throws -> (id: String, csrfToken: String) {
        let id = SecureToken.random()
        let csrf = SecureToken.random()
        try await client.query("""
            INSERT INTO staff_sessions (id_hash, staff_name, csrf_token) VALUES (\(SecureToken.digest(id)), \(staff), \(csrf))
            """, logger: logger)
        return (id, csrf)
    }

    /// The live session with this id, touched; nil when unknown, ended, idle too long or too old
    /// (those are ended here), or when the account was deactivated.
    func session(id: String) async throws -> StaffSession? {
        guard id.count == 43 else { return nil }
        let idle = Int(idleTimeout.components.seconds), life = Int(lifetime.components.seconds)
        let rows = try await client.query("""
            UPDATE staff_sessions s SET last_seen_at = now()
            FROM staff_accounts a
            WHERE s.id_hash = \(SecureToken.digest(id)) AND s.ended_at IS NULL AND a.name = s.staff_name AND a.active
              AND s.last_seen_at > now() - make_interval(secs => \(idle)::int) AND s.created_at > now() - make_interval(secs => \(life)::int)
            RETURNING s.id_hash, s.csrf_token, a.name, a.display_name, a.role, a.must_change_password
            """, logger: logger)
        for try await (hash, csrf, name, display, role, mustChange) in rows.decode((String, String, String, String, String, Bool).self) {
            guard let role = OMSPlatform.AccessRole(rawValue: role) else { return nil }
            return StaffSession(staff: StaffAccount(name: name, displayName: display, role: role, mustChangePassword: mustChange), csrfToken: csrf, idHash: hash)
        }
        try await client.query("UPDATE staff_sessions SET ended_at = now() WHERE id_hash = \(SecureToken.digest(id)) AND ended_at IS NULL", logger: logger)
        return nil
    }

    func end(idHash: String) async throws {
        try await client.query("UPDATE staff_sessions SET ended_at = now() WHERE id_hash = \(idHash) AND ended_at IS NULL", logger: logger)
    }

    /// Ends every session of a person (password changed, account disabled), but `keeping` one.
    func endAll(staff: String, keeping: String? = nil) async throws {
        try await client.query("""
            UPDATE staff_sessions SET ended_at = now() WHERE staff_name = \(staff) AND ended_at IS NULL AND id_hash <> \(keeping ?? "")
            """, logger: logger)
    }
}
