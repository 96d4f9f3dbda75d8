/// The authenticated caller of a request: a name for audit trails (never a secret), its role and,
/// for a channel system, its channel. Invariant: `channel` is set exactly when `role == .channel`.
public struct Principal: Sendable, Hashable {
    public var name: String
    public var role: AccessRole
    public var channel: String?
    /// The system that acted for this person (the console), when the request was delegated.
    public var delegatedBy: String?

    public init(name: String, role: AccessRole, channel: String? = nil, delegatedBy: String? = nil) {
        self.name = name
        self.role = role
        self.channel = role == .channel ? channel : nil
        self.delegatedBy = delegatedBy
    }
}
