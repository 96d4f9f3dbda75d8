import OMSPlatform

/// A person who signs in to the console. Invariant: `name` is a valid staff name (it is what the
/// services' audit trails record), `role` is one of the staff roles, and an account created by ops
/// must change its one-time password at first sign-in.
public struct StaffAccount: Sendable, Equatable {
    public var name: String
    public var displayName: String
    public var role: AccessRole
    public var mustChangePassword: Bool
    public var active: Bool

    public init(name: String, displayName: String, role: AccessRole, mustChangePassword: Bool = true, active: Bool = true) {
        self.name = name
        self.displayName = displayName
        self.role = role
        self.mustChangePassword = mustChangePassword
        self.active = active
    }

    /// Why these account fields cannot be used, field by field (empty when they can).
    public static func problems(name: String, displayName: String, role: String) -> [APIError.FieldError] {
        var problems: [APIError.FieldError] = []
        if !StaffDelegation.isValidStaffName(name) { problems.append(.init(field: "name", reason: "1-64 letters, digits, '.', '_' or '-'")) }
        if displayName.trimmingCharacters(in: .whitespaces).isEmpty || displayName.count > 100 {
            problems.append(.init(field: "displayName", reason: "required, at most 100 characters"))
        }
        if AccessRole(rawValue: role).map(AccessRole.staffRoles.contains) != true {
            problems.append(.init(field: "role", reason: "one of \(AccessRole.staffRoles.map(\.rawValue).joined(separator: ", "))"))
        }
        return problems
    }

    /// Why a new password cannot be used (nil when it can): at least 10 characters, not the account
    /// name, not only one kind of character.
    public static func passwordProblem(_ password: String, name: String) -> String? {
        if password.count < 10 { return "at least 10 characters" }
        if password.count > 72 { return "at most 72 characters (bcrypt reads no more)" }
        if password.lowercased().contains(name.lowercased()) { return "must not contain the account name" }
        let kinds = [password.contains(where: \.isLetter), password.contains(where: \.isNumber), password.contains { !$0.isLetter && !$0.isNumber }]
        if kinds.filter({ $0 }).count < 2 { return "mix letters with digits or symbols" }
        return nil
    }
}
