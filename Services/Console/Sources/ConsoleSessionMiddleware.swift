import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Runs before every console page: picks the language (`?lang=`, then its cookie), finds the
/// staff member's session from its cookie, decodes a posted form and refuses it unless it carries
/// the session's CSRF token (the sign-in form: the token of its own cookie, double-submitted), and
/// sends a person who must replace a one-time password to do that first. The staff JSON API
/// (`/v1/...`, bearer tokens) and the assets pass untouched.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    static let sessionCookie = "oms_console_session"
    static let languageCookie = "oms_console_lang"
    static let signInCookie = "oms_console_signin"
    static let maximumFormBytes = 64 * 1024

    let sessions: SessionStore
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/v1/") || path.hasPrefix("/assets/") || path.hasPrefix("/health/") || path == "/metrics" { return try await next(request, context) }
        var context = context
        var request = request
        var setLanguage: ConsoleLanguage?
        if let wanted = request.uri.queryParameters["lang"].flatMap({ ConsoleLanguage(rawValue: String($0)) }) {
            context.language = wanted
            setLanguage = wanted
        } else if let saved = request.cookies[Self.languageCookie].flatMap({ ConsoleLanguage(rawValue: $0.value) }) {
            context.language = saved
        }
        if let id = request.cookies[Self.sessionCookie]?.value {
            context.session = try await sessions.session(id: id)
        }
        if request.method == .post {
            let buffer = try await request.collectBody(upTo: Self.maximumFormBytes)
            let form = ConsoleForm(buffer: buffer)
            if path == "/login" {
                guard let cookie = request.cookies[Self.signInCookie]?.value, let sent = form["_signin"], cookie.count >= 32, SecureToken.equal(cookie, sent) else {
                    throw ConsoleFailure.csrfRejected
                }
            } else {
                let session = try context.requireSession()
                guard let sent = form["_csrf"], SecureToken.equal(sent, session.csrfToken) else { throw ConsoleFailure.csrfRejected }
            }
            context.form = form
        }
        if let session = context.session, session.staff.mustChangePassword, !["/password", "/logout", "/login"].contains(path) {
            return ConsoleView.redirect("/password")
        }
        var response = try await next(request, context)
        if let setLanguage {
            response.setCookie(Cookie(name: Self.languageCookie, value: setLanguage.rawValue, maxAge: 365 * 86_400, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}
