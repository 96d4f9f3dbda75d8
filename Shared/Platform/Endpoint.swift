import HTTPTypes
import Hummingbird

/// One route of a route group, declared once: its `RouteSpec` and the group's method that handles
/// it. Invariant: declared in a group's static `endpoints`, so the route, who may call it and its
/// handler cannot drift apart.
public struct Endpoint<Group: RouteGroup>: Sendable {
    public typealias Handler = @Sendable (Group) -> @Sendable (Request, OMSRequestContext) async throws -> Response

    public let spec: RouteSpec
    public let handler: Handler

    public init(_ spec: RouteSpec, use handler: @escaping Handler) {
        self.spec = spec
        self.handler = handler
    }

    /// A read.
    public static func get(_ path: String, _ access: AccessRule.Access, _ summary: String, use handler: @escaping Handler) -> Self {
        Self(RouteSpec(method: .get, path: path, access: access, body: .none, summary: summary), use: handler)
    }

    /// An action or a creation; `body: .none` for an action whose meaning is all in the path.
    public static func post(_ path: String, _ access: AccessRule.Access, _ summary: String, body: RouteSpec.Body = .json, channelParameter: String? = nil,
                            use handler: @escaping Handler) -> Self {
        Self(RouteSpec(method: .post, path: path, access: access, channelParameter: channelParameter, body: body, summary: summary), use: handler)
    }

    /// A create-or-replace of the entity in the path.
    public static func put(_ path: String, _ access: AccessRule.Access, _ summary: String, use handler: @escaping Handler) -> Self {
        Self(RouteSpec(method: .put, path: path, access: access, body: .json, summary: summary), use: handler)
    }
}
