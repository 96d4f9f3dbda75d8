import HTTPTypes

/// Who may call one route: a method (or any), a path pattern and the roles allowed, or public.
/// Patterns are `/`-separated segments where `:name` matches one segment and a final `**` matches
/// the rest. Invariant: a rule with `channelParameter` admits a channel principal only when that
/// path segment is the principal's own channel.
public struct AccessRule: Sendable {
    public enum Access: Sendable, Hashable, ExpressibleByArrayLiteral {
        /// No token needed (health, metrics, the dashboard shell, HMAC-signed carrier webhooks).
        case open
        /// One of these roles.
        case roles(Set<AccessRole>)

        /// `[.ops, .warehouse]` reads as `.roles([.ops, .warehouse])`.
        public init(arrayLiteral elements: AccessRole...) {
            self = .roles(Set(elements))
        }
    }

    public var methods: Set<HTTPRequest.Method>?
    public var pattern: String
    public var access: Access
    /// The path parameter naming a channel that a channel principal must own.
    public var channelParameter: String?
    let segments: [Substring]

    public init(_ methods: Set<HTTPRequest.Method>? = nil, _ pattern: String, _ access: Access, channelParameter: String? = nil) {
        self.methods = methods
        self.pattern = pattern
        self.access = access
        self.channelParameter = channelParameter
        segments = pattern.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// `roles` may call `methods` on `pattern`.
    public static func allow(_ roles: Set<AccessRole>, _ methods: Set<HTTPRequest.Method>, _ pattern: String, channelParameter: String? = nil) -> AccessRule {
        AccessRule(methods == .any ? nil : methods, pattern, .roles(roles), channelParameter: channelParameter)
    }

    /// Anyone may call `methods` on `pattern`.
    public static func open(_ methods: Set<HTTPRequest.Method>, _ pattern: String) -> AccessRule {
        AccessRule(methods == .any ? nil : methods, pattern, .open)
    }

    /// Whether this rule should be tried before `other`: at the first segment where they differ, a
    /// literal beats a `:parameter`, which beats `**`; then the longer pattern; else declaration order.
    func isMoreSpecific(than other: AccessRule) -> Bool {
        func rank(_ segment: Substring) -> Int { segment == "**" ? 2 : segment.hasPrefix(":") ? 1 : 0 }
        for (mine, theirs) in zip(segments, other.segments) where rank(mine) != rank(theirs) {
            return rank(mine) < rank(theirs)
        }
        return segments.count > other.segments.count
    }

    /// The path parameters if the rule covers this request, else nil.
    func match(method: HTTPRequest.Method, path: [Substring]) -> [Substring: Substring]? {
        if let methods, !methods.contains(method) { return nil }
        var parameters: [Substring: Substring] = [:]
        for (index, segment) in segments.enumerated() {
            if segment == "**" { return parameters }
            guard index < path.count else { return nil }
            if segment.hasPrefix(":") {
                parameters[segment.dropFirst()] = path[index]
            } else if segment != path[index] {
                return nil
            }
        }
        return path.count == segments.count ? parameters : nil
    }
}

extension Set where Element == HTTPRequest.Method {
    public static let reads: Set<HTTPRequest.Method> = [.get, .head]
    public static let writes: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
    /// Every method (an empty set, read as "any" by `AccessRule`).
    public static let any: Set<HTTPRequest.Method> = []
}
