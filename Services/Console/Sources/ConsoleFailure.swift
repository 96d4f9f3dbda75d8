import HTTPTypes
import OMSDomain

/// What a console request can end in instead of its page; `ConsoleErrorMiddleware` renders each
/// as a page in the staff member's language (never a stack trace).
enum ConsoleFailure: Error {
    /// No live session: back to the sign-in page.
    case signInRequired
    /// The role may not open this page or do this (403).
    case forbidden
    /// No such order, wave, ... (404).
    case notFound
    /// A form posted without the session's CSRF token, or with a wrong one (403).
    case csrfRejected
    /// A service did not answer, or answered 5xx (503), naming it.
    case serviceUnavailable(ServiceName)
    /// Too many failed sign-ins (429).
    case throttled

    var status: HTTPResponse.Status {
        switch self {
        case .signInRequired: .seeOther
        case .forbidden, .csrfRejected: .forbidden
        case .notFound: .notFound
        case .serviceUnavailable: .serviceUnavailable
        case .throttled: .tooManyRequests
        }
    }
}
