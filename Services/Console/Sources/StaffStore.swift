import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of staff accounts, failed sign-ins and the staff audit trail (schema `console`).
struct StaffStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Creates the account; false when the name is taken.
    func create(_ account: StaffAccount, passwordHash: String, createdBy: String) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO staff_accounts (name, display_name, role, password_hash, must_change_password, created_by)
            VALUES (\(account.name), \(account.displayName), \(account.role.rawValue), \(passwordHash), \(account.mustChangePassword), \(createdBy))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The account and its password hash.
    func account(named name: String) async throws -> (account: StaffAccount, passwordHash: String)? {
        let rows = try await client.query("""
            SELECT name, display_name, role, password_hash, must_change_password, active FROM staff_accounts WHERE name = \(name)
            """, logger: logger)
        for try await (name, display, role, hash, mustChange, active) in rows.decode((String, String, String, String, Bool, Bool).self) {
            guard let role = AccessRole(rawValue: role) else { return nil }
            return (StaffAccount(name: name, displayName: display, role: role, mustChangePassword: mustChange, active: active), hash)
        }
        return nil
    }

    func accounts() async throws -> [StaffAccount] {
        let rows = try await client.query("SELECT name, display_name, role, must_change_password, active FROM staff_accounts ORDER BY name", logger: logger)
        var accounts: [StaffAccount] = []
        for try await (name, display, role, mustChange, active) in rows.decode((String, String, String, Bool, Bool).self) {
            if let role = AccessRole(rawValue: role) { accounts.append(StaffAccount(name: name, displayName: display, role: role, mustChangePassword: mustChange, active: active)) }
        }
        return accounts
    }

    func setPassword(_ name: String, passwordHash: String, mustChange: Bool) async throws {
        try await client.query("""
            UPDATE staff_accounts SET password_hash = \(passwordHash), must_change_password = \(mustChange), password_changed_at = now() WHERE name = \(name)
            """, logger: logger)
    }

    func setActive(_ name: String, _ active: Bool) async throws -> Bool {
        let rows = try await client.query("UPDATE staff_accounts SET active = \(active) WHERE name = \(name) RETURNING name", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Failed sign-ins of this account name and of this address within the window.
    func recentFailures(account: String, address: String, window: Duration) async throws -> (account: Int, address: Int) {
        let seconds = Int(window.components.seconds)
        let rows = try await client.query("""
            SELECT count(*) FILTER (WHERE account = \(account)), count(*) FILTER (WHERE address = \(address))
            FROM signin_failures WHERE at > now() - make_interval(secs => \(seconds)::int) AND (account = \(account) OR address = \(address))
            """, logger: logger)
        for try await (byAccount, byAddress) in rows.decode((Int, Int).self) { return (byAccount, byAddress) }
        return (0, 0)
    }

    func recordFailure(account: String, address: String) async throws {
        try await client.query("INSERT INTO signin_failures (account, address) VALUES (\(String(account.prefix(100))), \(address))", logger: logger)
        // Old failures mean nothing to the throttle; keep the table small.
        try await client.query("DELETE FROM signin_failures WHERE at < now() - interval '1 day'", logger: logger)
    }

    func audit(_ staff: String, _ action: String, detail: String = "", address: String = "") async {
        do {
            try await client.query("""
                INSERT INTO staff_audit (staff_name, action, detail, address) VALUES (\(staff), \(action), \(String(detail.prefix(500))), \(address))
                """, logger: logger)
        } catch {
            logger.error("staff audit record not written", metadata: ["staff": "\(staff)", "action": "\(action)", "error": "\(String(reflecting: error).prefix(300))"])
        }
    }

    struct AuditEntry: Sendable {
        var at: Date
        var staff: String
        var action: String
        var detail: String
    }

    func auditEntries(limit: Int) async throws -> [AuditEntry] {
        let rows = try await client.query("SELECT at, staff_name, action, detail FROM staff_audit ORDER BY id DESC LIMIT \(limit)", logger: logger)
        var entries: [AuditEntry] = []
        for try await (at, staff, action, detail) in rows.decode((Date, String, String, String).self) {
            entries.append(AuditEntry(at: at, staff: staff, action: action, detail: detail))
        }
        return entries
    }
}
