import Hummingbird
import NIOCore

/// The request context of the console: Hummingbird's storage, the caller's address (for sign-in
/// throttling), the language chosen and, once `ConsoleSessionMiddleware` has run, the signed-in
/// staff member. Invariant: `session` is set only from a live session cookie.
public struct ConsoleRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var clientAddress: String
    public var language: ConsoleLanguage = .chinese
    public var session: StaffSession?
    /// The posted form, decoded (and its CSRF token checked) by `ConsoleSessionMiddleware`.
    var form = ConsoleForm()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The signed-in staff member, or a redirect to sign-in.
    func requireSession() throws -> StaffSession {
        guard let session else { throw ConsoleFailure.signInRequired }
        return session
    }

    /// The session, if the staff member's role may open `page`; 403 otherwise.
    func require(_ page: ConsolePage) throws -> StaffSession {
        let session = try requireSession()
        guard page.roles.contains(session.staff.role) else { throw ConsoleFailure.forbidden }
        return session
    }
}
