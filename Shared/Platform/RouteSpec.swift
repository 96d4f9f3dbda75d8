import HTTPTypes

/// What one HTTP route is, without its handler: method, path pattern, who may call it, whether it
/// reads a JSON body, and a one-line summary. The access policy, `/openapi.json`, docs/api.md and
/// the hostile-input test all derive from these. Invariant: the path is `/`-separated literal
/// segments and `:name` parameters (no wildcards), so each spec matches exactly the requests its
/// router entry serves.
public struct RouteSpec: Sendable, Hashable {
    /// Whether the route reads a request body.
    public enum Body: Sendable, Hashable {
        /// No body (reads, and actions whose whole meaning is in the path).
        case none
        /// A JSON object.
        case json
    }

    public var method: HTTPRequest.Method
    public var path: String
    public var access: AccessRule.Access
    /// The path parameter naming a channel that a channel principal must own.
    public var channelParameter: String?
    public var body: Body
    public var summary: String

    public init(method: HTTPRequest.Method, path: String, access: AccessRule.Access, channelParameter: String? = nil, body: Body, summary: String) {
        self.method = method
        self.path = path
        self.access = access
        self.channelParameter = channelParameter
        self.body = body
        self.summary = summary
    }

    /// The names of the path's `:parameters`, in order.
    public var parameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// The access rule this route contributes: a GET also admits HEAD, as the router answers both.
    public var accessRule: AccessRule {
        AccessRule(method == .get ? .reads : [method], path, access, channelParameter: channelParameter)
    }

    /// The roles allowed, empty when the route is open.
    public var roles: Set<AccessRole> {
        if case .roles(let roles) = access { return roles }
        return []
    }
}
