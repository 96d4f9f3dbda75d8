import OMSDomain
import OMSPlatform

/// docs/api.md, rendered from the services' route declarations: one table per service (method,
/// path, who may call it, body, what it does) after the platform routes every service serves.
/// Invariant: the committed file equals this rendering (a unit test compares them), so the
/// reference cannot drift from the code.
public enum APIReference {
    public static func markdown() -> String {
        var text = """
            # HTTP API reference

            Generated from the route declarations (`static let endpoints` in each `*Routes.swift`), the
            same declarations each service's access policy and `/openapi.json` are built from. Do not edit
            by hand: `OMS_WRITE_API_DOC=1 swift test --filter APIReferenceTests` rewrites this file.

            Every request but the open ones carries `Authorization: Bearer <token>`; the token's role must
            be one of those listed (401 without a valid token, 403 for another role). Errors are
            `{"error": {"code", "message", "fields": [{"field", "reason"}]}}`. `body` is `json` when the
            route reads a JSON object.

            ## Every service


            """
        text += table(PlatformRoutes.routes)
        for (service, routes) in SuiteAccess.routesByService {
            text += "\n## \(service.rawValue)\n\n"
            text += table(routes.filter { !PlatformRoutes.routes.contains($0) })
        }
        return text
    }

    static func table(_ routes: [RouteSpec]) -> String {
        var text = "| method | path | who | body | what |\n|---|---|---|---|---|\n"
        for route in routes.sorted(by: { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }) {
            let who = switch route.access {
            case .open: "open"
            case .roles(let roles): AccessRole.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ", ")
                + (route.channelParameter.map { " (own `\($0)` only)" } ?? "")
            }
            let body = route.body == .json ? "json" : ""
            text += "| \(route.method.rawValue) | `\(OpenAPIDocument.templated(route.path))` | \(who) | \(body) | \(route.summary.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        return text
    }
}
