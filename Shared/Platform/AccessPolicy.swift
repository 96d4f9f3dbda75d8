import HTTPTypes

/// The access rules of one service, first match wins. Invariant: a request no rule covers is
/// refused (403 `no_access_rule`), so a route added without a rule is closed rather than open.
public struct AccessPolicy: Sendable {
    public let rules: [AccessRule]

    /// Rules as given, tried in order.
    public init(rules: [AccessRule]) {
        self.rules = rules
    }

    /// The rules of these routes, most specific first (a literal segment before a `:parameter` in
    /// the same place), which is how the router chooses between them too.
    public init(routes: [RouteSpec]) {
        rules = routes.map(\.accessRule).enumerated()
            .sorted { $0.element.isMoreSpecific(than: $1.element) || !$1.element.isMoreSpecific(than: $0.element) && $0.offset < $1.offset }
            .map(\.element)
    }

    /// What a request needs: the first rule covering it and its path parameters, or nil.
    public func rule(method: HTTPRequest.Method, path: String) -> (rule: AccessRule, parameters: [Substring: Substring])? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for rule in rules {
            if let parameters = rule.match(method: method, path: segments) { return (rule, parameters) }
        }
        return nil
    }

    /// Why `principal` may not make this request, or nil if it may.
    public func refusal(for principal: Principal?, method: HTTPRequest.Method, path: String) -> AccessRefusal? {
        guard let (rule, parameters) = rule(method: method, path: path) else { return .noRule }
        guard case .roles(let roles) = rule.access else { return nil }
        guard let principal else { return .unauthenticated }
        guard roles.contains(principal.role) else { return .roleNotAllowed(principal.role, allowed: roles) }
        if principal.role == .channel, let name = rule.channelParameter {
            guard let wanted = parameters[Substring(name)], wanted == principal.channel ?? "" else { return .otherChannel }
        }
        return nil
    }

    /// The roles that may make this request (for clients choosing a token), empty if public or none.
    public func allowedRoles(method: HTTPRequest.Method, path: String) -> Set<AccessRole> {
        guard let (rule, _) = rule(method: method, path: path), case .roles(let roles) = rule.access else { return [] }
        return roles
    }
}

/// Why a request was refused: 401 when no valid token came, 403 when the token's role may not.
public enum AccessRefusal: Sendable, Equatable {
    case unauthenticated
    case roleNotAllowed(AccessRole, allowed: Set<AccessRole>)
    case otherChannel
    case noRule

    public var error: APIError {
        switch self {
        case .unauthenticated:
            APIError(.unauthorized, code: "unauthenticated", message: "send a valid API token as 'Authorization: Bearer <token>'",
                     fields: [.init(field: "Authorization", reason: "missing or unknown bearer token")])
        case .roleNotAllowed(let role, let allowed):
            APIError(.forbidden, code: "role_not_allowed",
                     message: "the \(role.rawValue) role may not do this; allowed: \(allowed.map(\.rawValue).sorted().joined(separator: ", "))")
        case .otherChannel:
            APIError(.forbidden, code: "channel_not_permitted", message: "a channel token may submit orders for its own channel only",
                     fields: [.init(field: "channel", reason: "not this token's channel")])
        case .noRule:
            APIError(.forbidden, code: "no_access_rule", message: "no access rule covers this request")
        }
    }
}
