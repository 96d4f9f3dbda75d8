import HTTPTypes

/// A request the console makes for a signed-in staff member: the console's own token plus
/// `X-OMS-Staff` (the person's account name) and `X-OMS-Staff-Role` (their role). The service
/// then decides with the person's role and records the person in its audit trail and "decided by"
/// columns. Invariant: only a `console` principal can delegate; the delegated role is a staff role
/// (never `channel` or `console`), so a delegated call never exceeds what that role may do alone,
/// and a console token without the headers may do nothing.
public enum StaffDelegation {
    public static let staffHeader = HTTPField.Name("X-OMS-Staff")!
    public static let roleHeader = HTTPField.Name("X-OMS-Staff-Role")!

    /// The principal a request acts as: `authenticated` itself, or, for the console, the staff
    /// member it names. Throws 403 when the console names nobody or names them wrongly.
    public static func effectivePrincipal(_ authenticated: Principal?, headers: HTTPFields) throws -> Principal? {
        guard let authenticated, authenticated.role == .console else { return authenticated }
        guard let name = headers[staffHeader], let roleText = headers[roleHeader] else {
            throw APIError(.forbidden, code: "delegation_required",
                           message: "the console's token acts only for a staff member: send \(staffHeader) and \(roleHeader)",
                           fields: [.init(field: staffHeader.rawName, reason: "required with a console token")])
        }
        guard isValidStaffName(name) else {
            throw APIError(.forbidden, code: "delegation_invalid", message: "the staff name is not an account name",
                           fields: [.init(field: staffHeader.rawName, reason: "1-64 letters, digits, '.', '_' or '-'")])
        }
        guard let role = AccessRole(rawValue: roleText), AccessRole.staffRoles.contains(role) else {
            throw APIError(.forbidden, code: "delegation_invalid", message: "the console can act only with a staff role",
                           fields: [.init(field: roleHeader.rawName, reason: "one of \(AccessRole.staffRoles.map(\.rawValue).joined(separator: ", "))")])
        }
        return Principal(name: name, role: role, delegatedBy: authenticated.name)
    }

    /// A staff account name: 1-64 ASCII letters, digits, `.`, `_` or `-` (safe in headers, logs and audit rows).
    public static func isValidStaffName(_ name: some StringProtocol) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
