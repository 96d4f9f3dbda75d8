import Foundation
import HTTPTypes
import OMSPlatform
import Testing

@Suite("API tokens and access rules")
struct AccessPolicyTests {
    static let web = String(repeating: "w", count: 40)
    static let risk = String(repeating: "r", count: 40)
    static let store = String(repeating: "s", count: 40)

    static let credentials = try! APICredentials(parsing: "web-shop:channel/web=\(web), reviewer-1:risk=\(risk)\nstore-7:channel/pos=\(store)")

    static let policy = AccessPolicy(routes: PlatformRoutes.routes + [
        RouteSpec(method: .post, path: "/v1/channels/:channel/orders", access: [.channel], channelParameter: "channel", body: .json, summary: "submit"),
        RouteSpec(method: .get, path: "/v1/review", access: [.risk], body: .none, summary: "queue"),
        RouteSpec(method: .post, path: "/v1/review/orders/:id/approve", access: [.risk], body: .json, summary: "approve"),
        RouteSpec(method: .post, path: "/v1/carriers/:code/events", access: .open, body: .json, summary: "carrier events"),
    ])

    @Test("tokens map to their principals; unknown, short or empty tokens map to none")
    func lookup() {
        #expect(Self.credentials.principal(forToken: Self.web) == Principal(name: "web-shop", role: .channel, channel: "web"))
        #expect(Self.credentials.principal(forToken: Self.risk)?.role == .risk)
        #expect(Self.credentials.principal(forToken: Self.store)?.channel == "pos")
        #expect(Self.credentials.principal(forToken: String(repeating: "x", count: 40)) == nil)
        #expect(Self.credentials.principal(forToken: "short") == nil)
        #expect(Self.credentials.principal(forToken: "") == nil)
        #expect(Self.credentials.token(for: .channel, channel: "pos") == Self.store)
        #expect(Self.credentials.token(for: .ops) == nil)
        #expect(APICredentials.none.isEmpty)
    }

    @Test("malformed token configuration is refused with the entry and the rule", arguments: [
        "no-equals-sign",
        "name-only=\(String(repeating: "a", count: 40))",
        "a:superuser=\(String(repeating: "a", count: 40))",
        "a:channel=\(String(repeating: "a", count: 40))",
        "a:ops/web=\(String(repeating: "a", count: 40))",
        "a:ops=tooshort",
        "a:ops=\(String(repeating: "a", count: 39))!",
        "bad name:ops=\(String(repeating: "a", count: 40))",
        "a:ops=\(String(repeating: "a", count: 40)),b:risk=\(String(repeating: "a", count: 40))",
    ])
    func malformed(entry: String) {
        #expect(throws: ConfigurationError.self) { try APICredentials(parsing: entry) }
    }

    @Test("rules: roles, the channel in the path, open routes, the platform's routes and no rule")
    func rules() {
        let web = Self.credentials.principal(forToken: Self.web)
        let risk = Self.credentials.principal(forToken: Self.risk)
        #expect(Self.policy.refusal(for: web, method: .post, path: "/v1/channels/web/orders") == nil)
        #expect(Self.policy.refusal(for: web, method: .post, path: "/v1/channels/pos/orders") == .otherChannel)
        #expect(Self.policy.refusal(for: web, method: .get, path: "/v1/channels/web/orders") == .noRule)
        #expect(Self.policy.refusal(for: nil, method: .post, path: "/v1/channels/web/orders") == .unauthenticated)
        #expect(Self.policy.refusal(for: risk, method: .post, path: "/v1/channels/web/orders") == .roleNotAllowed(.risk, allowed: [.channel]))
        #expect(Self.policy.refusal(for: risk, method: .post, path: "/v1/review/orders/O-1/approve") == nil)
        #expect(Self.policy.refusal(for: risk, method: .get, path: "/v1/review") == nil)
        #expect(Self.policy.refusal(for: web, method: .post, path: "/v1/review/orders/O-1/approve") == .roleNotAllowed(.channel, allowed: [.risk]))
        #expect(Self.policy.refusal(for: nil, method: .post, path: "/v1/carriers/SF/events") == nil)
        #expect(Self.policy.refusal(for: nil, method: .get, path: "/v1/carriers/SF/events") == .noRule)
        #expect(Self.policy.refusal(for: nil, method: .get, path: "/health/ready") == nil)
        #expect(Self.policy.refusal(for: nil, method: .get, path: "/metrics") == nil)
        #expect(Self.policy.refusal(for: nil, method: .get, path: "/v1/audit") == .unauthenticated)
        #expect(Self.policy.refusal(for: risk, method: .get, path: "/v1/audit") == .roleNotAllowed(.risk, allowed: [.ops]))
        #expect(Self.policy.refusal(for: risk, method: .get, path: "/v1/reviewers") == .noRule)
        #expect(Self.policy.refusal(for: risk, method: .get, path: "/v1/review/../../v1/channels/web/orders") == .noRule, "'..' is a plain segment: the router does not resolve it either")
        #expect(Self.policy.refusal(for: risk, method: .head, path: "/v1/review") == nil, "a read route admits HEAD as the router does")
        #expect(Self.policy.refusal(for: risk, method: .delete, path: "/v1/review") == .noRule, "only the declared method")
        #expect(Self.policy.refusal(for: nil, method: .get, path: "/openapi.json") == nil)
        #expect(AccessRefusal.unauthenticated.error.status == .unauthorized)
        #expect(AccessRefusal.otherChannel.error.status == .forbidden)
    }

    @Test("clients pick a token the rules allow: the channel's own, else a staff role")
    func clientChoice() {
        #expect(Self.credentials.token(allowedBy: Self.policy, method: .post, path: "/v1/channels/pos/orders") == Self.store)
        #expect(Self.credentials.token(allowedBy: Self.policy, method: .post, path: "/v1/channels/phone/orders") == nil)
        #expect(Self.credentials.token(allowedBy: Self.policy, method: .get, path: "/v1/review?channel=web") == Self.risk)
        #expect(Self.credentials.token(allowedBy: Self.policy, method: .get, path: "/health/live") == nil)
    }

    @Test("a literal segment is tried before a parameter in the same place, whatever the declaration order")
    func specificity() {
        let policy = AccessPolicy(routes: [
            RouteSpec(method: .get, path: "/v1/orders/:id", access: [.customerService], body: .none, summary: "one order"),
            RouteSpec(method: .get, path: "/v1/orders/export", access: [.analyst], body: .none, summary: "export"),
            RouteSpec(method: .get, path: "/v1/orders/:id/lines", access: [.warehouse], body: .none, summary: "lines"),
        ])
        #expect(policy.allowedRoles(method: .get, path: "/v1/orders/export") == [.analyst])
        #expect(policy.allowedRoles(method: .get, path: "/v1/orders/O-1") == [.customerService])
        #expect(policy.allowedRoles(method: .get, path: "/v1/orders/O-1/lines") == [.warehouse])
        #expect(policy.rule(method: .get, path: "/v1/orders/O-1/lines/2") == nil)
    }

    @Test("the API document lists each route once with its roles, parameters and body, in OpenAPI 3.1")
    func apiDocument() throws {
        let routes = PlatformRoutes.routes + [
            RouteSpec(method: .post, path: "/v1/channels/:channel/orders", access: [.channel], channelParameter: "channel", body: .json, summary: "Submit an order"),
            RouteSpec(method: .post, path: "/v1/transfers/:id/ship", access: [.warehouse, .ops], body: .none, summary: "Ship"),
        ]
        let json = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json(service: "test", routes: routes))) as? [String: Any])
        #expect(json["openapi"] as? String == "3.1.0")
        let paths = try #require(json["paths"] as? [String: [String: [String: Any]]])
        #expect(Set(paths.keys) == ["/health/live", "/health/ready", "/metrics", "/openapi.json", "/v1/audit", "/v1/ops/pipeline", "/v1/ops/dead-letters",
                                    "/v1/ops/dead-letters/redrive", "/v1/channels/{channel}/orders", "/v1/transfers/{id}/ship"])
        let submit = try #require(paths["/v1/channels/{channel}/orders"]?["post"])
        #expect(submit["summary"] as? String == "Submit an order")
        #expect(submit["x-oms-roles"] as? [String] == ["channel"])
        #expect((submit["parameters"] as? [[String: Any]])?.map { $0["name"] as? String } == ["channel"])
        #expect(submit["requestBody"] != nil)
        #expect((submit["responses"] as? [String: Any])?["403"] != nil)
        let ship = try #require(paths["/v1/transfers/{id}/ship"]?["post"])
        #expect(ship["requestBody"] == nil)
        #expect(ship["x-oms-roles"] as? [String] == ["ops", "warehouse"])
        let live = try #require(paths["/health/live"]?["get"])
        #expect((live["security"] as? [Any])?.isEmpty == true)
        #expect((live["responses"] as? [String: Any])?["401"] == nil)
    }
}
