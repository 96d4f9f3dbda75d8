import HTTPTypes
import Hummingbird
import Logging

/// Authenticates every request by its bearer token and enforces the service's `AccessPolicy`
/// before any route runs: 401 without a valid token, 403 when the token's role (or channel) may
/// not make the request. The authenticated principal is put in the request context, where routes
/// read who acted (`OMSRequestContext.actingUser`); no header can claim it, except the staff
/// headers of a console token (`StaffDelegation`), which act with the named person's role. Every change made by
/// staff (any role but a channel's system) is written to the service's `access_audit` table.
struct AccessControlMiddleware: RouterMiddleware {
    typealias Context = OMSRequestContext

    let policy: AccessPolicy
    let credentials: APICredentials
    let audit: AccessAudit
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let principal: Principal?
        do {
            principal = try StaffDelegation.effectivePrincipal(Self.bearerToken(request).flatMap(credentials.principal(forToken:)), headers: request.headers)
        } catch let error as APIError {
            logger.notice("request refused", metadata: ["principal": "console", "method": "\(request.method.rawValue)", "path": "\(path.prefix(200))", "code": "\(error.code)"])
            throw error
        }
        if let refusal = policy.refusal(for: principal, method: request.method, path: path) {
            logger.notice("request refused", metadata: [
                "principal": "\(principal?.name ?? "anonymous")", "method": "\(request.method.rawValue)",
                "path": "\(path.prefix(200))", "code": "\(refusal.error.code)",
            ])
            throw refusal.error
        }
        var context = context
        context.principal = principal
        guard let principal else { return try await next(request, context) }
        guard principal.role != .channel, Set<HTTPRequest.Method>.writes.contains(request.method) else {
            return try await next(request, context)
        }
        do {
            let response = try await next(request, context)
            await audit.record(principal, method: request.method, path: path, status: response.status.code)
            return response
        } catch {
            await audit.record(principal, method: request.method, path: path, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    static func bearerToken(_ request: Request) -> Substring? {
        guard let value = request.headers[.authorization], value.count > 7,
              value.prefix(7).lowercased() == "bearer " else { return nil }
        return value.dropFirst(7).drop(while: { $0 == " " })
    }
}
