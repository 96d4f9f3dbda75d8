import Hummingbird

/// A set of related routes (one aggregate's or one desk's), handled by one value holding what the
/// handlers need. Invariant: every route the group serves is in its static `endpoints`, which is
/// where the service's access policy and API document read it from.
public protocol RouteGroup: Sendable {
    static var endpoints: [Endpoint<Self>] { get }
}

extension RouteGroup {
    /// The group's routes without handlers.
    public static var routes: [RouteSpec] { endpoints.map(\.spec) }

    /// Adds every endpoint to the router, bound to this value.
    public func register(on router: Router<OMSRequestContext>) {
        for endpoint in Self.endpoints {
            let handle = endpoint.handler(self)
            router.on(RouterPath(endpoint.spec.path), method: endpoint.spec.method) { request, context in
                try await handle(request, context)
            }
        }
    }
}

/// A route group's type, for listing a service's routes where no runtime exists (omsctl, tests).
public struct RouteGroupType: Sendable {
    public let routes: [RouteSpec]
    let type: Any.Type

    public init<Group: RouteGroup>(_ type: Group.Type) {
        routes = Group.routes
        self.type = type
    }

    func describes(_ group: any RouteGroup) -> Bool { Swift.type(of: group) == type }
}
