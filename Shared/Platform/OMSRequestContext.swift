import Hummingbird

/// The request context of every OMS service: Hummingbird's core storage plus the caller.
/// Invariant: `principal` is set only by `AccessControlMiddleware`, from a valid bearer token, so a
/// route reading it (for an audit trail or a "decided by") names who really acted; nothing a client
/// sends in a header can change it.
public struct OMSRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public internal(set) var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// Who acted, for audit trails and "decided by" columns: the principal's name, or `unknown`
    /// on an open route.
    public var actingUser: String { String((principal?.name ?? "unknown").prefix(100)) }
}
