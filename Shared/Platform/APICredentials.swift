import Crypto
import Foundation
import HTTPTypes

/// The API tokens a process accepts (a service) or presents (omsctl, tests), from
/// `OMS_API_TOKENS`: comma- or newline-separated `name:role=token` entries, a channel system as
/// `name:channel/<channel>=token`, e.g. `web-shop:channel/web=…,cs-desk:customer-service=…`.
/// Several tokens may share a role (rotation: add the new one, move clients, remove the old).
///
/// Invariant: only SHA-256 digests of tokens are kept; a token is at least 32 characters of
/// `[A-Za-z0-9._~+/-]` and belongs to one principal. Secrets come from the environment (or a
/// secret store feeding it), never from the repository.
public struct APICredentials: Sendable {
    private let principals: [String: Principal]
    private let tokensByRole: [(principal: Principal, token: String)]

    /// The variable the tokens are read from.
    public static let variable = "OMS_API_TOKENS"
    public static let minimumTokenLength = 32

    public init(environment: [String: String]) throws {
        try self.init(parsing: environment[Self.variable] ?? "")
    }

    public init(parsing text: String) throws {
        var principals: [String: Principal] = [:]
        var tokens: [(Principal, String)] = []
        let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (index, entry) in entries.enumerated() {
            func fail(_ reason: String) -> ConfigurationError {
                ConfigurationError(key: Self.variable, reason: "entry \(index + 1): \(reason) (expected name:role=token)")
            }
            guard let equals = entry.firstIndex(of: "=") else { throw fail("no '='") }
            let head = entry[..<equals].split(separator: ":", maxSplits: 1).map(String.init)
            let token = String(entry[entry.index(after: equals)...])
            guard head.count == 2 else { throw fail("no ':' between name and role") }
            let name = head[0]
            guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw fail("the name must be 1-64 letters, digits, '.', '_' or '-'")
            }
            let roleParts = head[1].split(separator: "/", maxSplits: 1).map(String.init)
            guard let role = AccessRole(rawValue: roleParts[0]) else {
                throw fail("unknown role; roles are \(AccessRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let channel = roleParts.count == 2 ? roleParts[1] : nil
            if role == .channel, channel?.isEmpty ?? true { throw fail("a channel role names its channel: channel/<channel>") }
            if role != .channel, channel != nil { throw fail("only the channel role takes a /<channel>") }
            guard token.count >= Self.minimumTokenLength, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._~+/-".contains($0)) }) else {
                throw fail("the token must be at least \(Self.minimumTokenLength) characters of A-Z a-z 0-9 . _ ~ + / -")
            }
            let digest = Self.digest(token)
            guard principals[digest] == nil else { throw fail("the same token is given twice") }
            let principal = Principal(name: name, role: role, channel: channel)
            principals[digest] = principal
            tokens.append((principal, token))
        }
        self.principals = principals
        self.tokensByRole = tokens.map { (principal: $0.0, token: $0.1) }
    }

    /// No tokens at all.
    public static let none = try! APICredentials(parsing: "")

    /// No tokens: every protected route answers 401.
    public var isEmpty: Bool { principals.isEmpty }

    /// The principal a presented bearer token belongs to, if any. The token is hashed before the
    /// lookup, so lookup time does not depend on how much of a guess matches a real token.
    public func principal(forToken token: some StringProtocol) -> Principal? {
        guard token.count >= Self.minimumTokenLength, token.count <= 512 else { return nil }
        return principals[Self.digest(String(token))]
    }

    /// For clients: a token of `role` (and `channel`, for channel systems) to present, if configured.
    public func token(for role: AccessRole, channel: String? = nil) -> String? {
        tokensByRole.first { $0.principal.role == role && (channel == nil || $0.principal.channel == channel) }?.token
    }

    /// For clients: a token that `policy` allows for this request — a channel system's own token
    /// for channel routes, else `preferring` if allowed, else the first allowed staff role in the
    /// order customer service, warehouse, risk, ops, analyst. Nil for open or uncovered routes.
    public func token(allowedBy policy: AccessPolicy, method: HTTPRequest.Method, path: String, preferring: AccessRole? = nil) -> String? {
        let bare = String(path.prefix { $0 != "?" })
        guard let (rule, parameters) = policy.rule(method: method, path: bare), case .roles(let roles) = rule.access else { return nil }
        if roles.contains(.channel), let name = rule.channelParameter, let channel = parameters[Substring(name)],
           let token = token(for: .channel, channel: String(channel)) {
            return token
        }
        if let preferring, roles.contains(preferring), let token = token(for: preferring) { return token }
        for role in [AccessRole.customerService, .warehouse, .risk, .ops, .analyst] where roles.contains(role) {
            if let token = token(for: role) { return token }
        }
        return nil
    }

    /// For clients: the token of the principal called `name`, if configured.
    public func token(named name: String) -> String? {
        tokensByRole.first { $0.principal.name == name }?.token
    }


    static func digest(_ token: String) -> String {
        PIIHasher.hex(Array(SHA256.hash(data: Data(token.utf8))))
    }
}
