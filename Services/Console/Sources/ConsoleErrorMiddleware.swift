import HTTPTypes
import Hummingbird
import Logging
import OMSPlatform

/// The outermost layer of the console: security headers on every answer, and every failure as a
/// page in the staff member's language (sign-in needed → the sign-in page; 403, 404, 429, 503 →
/// a page saying so; anything unexpected → a generic page, logged, never a stack trace). The JSON
/// staff API keeps JSON errors.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    let view: ConsoleView
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch where request.uri.path.hasPrefix("/v1/") {
            // The staff JSON API answers JSON errors (field and reason), never a page.
            if let error = error as? APIError { throw error }
            if let error = error as? any HTTPResponseError, (400..<500).contains(error.status.code) {
                throw APIError(error.status, code: "bad_request", message: "the request could not be read")
            }
            logger.error("console API request failed", metadata: ["path": "\(request.uri.path.prefix(120))", "error": "\(String(reflecting: error).prefix(300))"])
            throw APIError(.internalServerError, code: "internal_error", message: "the console could not answer; see its log")
        } catch {
            response = page(for: error, request: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func page(for error: any Error, request: Request, context: Context) -> Response {
        let language = context.language
        func errorPage(_ status: HTTPResponse.Status, _ key: String, suffix: String = "") -> Response {
            view.page("error", title: "\(status.code)", context: context, data: ["message": ConsoleText.text(key, language) + suffix], status: status)
        }
        switch error {
        case ConsoleFailure.signInRequired:
            return ConsoleView.redirect("/login?expired=1")
        case ConsoleFailure.forbidden: return errorPage(.forbidden, "error.403")
        case ConsoleFailure.csrfRejected:
            logger.notice("form refused: CSRF token missing or wrong", metadata: ["path": "\(request.uri.path.prefix(120))", "address": "\(context.clientAddress)"])
            return errorPage(.forbidden, "error.csrf")
        case ConsoleFailure.notFound: return errorPage(.notFound, "error.404")
        case ConsoleFailure.throttled: return errorPage(.tooManyRequests, "throttled")
        case ConsoleFailure.serviceUnavailable(let service): return errorPage(.serviceUnavailable, "error.503", suffix: service.rawValue)
        case let error as HTTPError where error.status == .notFound: return errorPage(.notFound, "error.404")
        case let error as HTTPError where error.status == .contentTooLarge: return errorPage(.contentTooLarge, "error.413")
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            return errorPage(error.status, "error.400")
        default:
            logger.error("console page failed", metadata: ["path": "\(request.uri.path.prefix(120))", "error": "\(String(reflecting: error).prefix(300))"])
            return errorPage(.internalServerError, "error.500")
        }
    }
}
