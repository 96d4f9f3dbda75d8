import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSOps
import OMSPlatform
import RiskService
import ServiceLifecycle
import Testing

/// Authentication and per-endpoint roles against real intake and risk processes: who may submit
/// for which channel, who may decide a held order, what the audit trail records.
@Suite("Access control: tokens, roles per endpoint, channel scoping and the audit trail", .serialized)
struct AccessControlTests {
    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test("every declared route is governed by its own rule in its service's policy, none shadowed by another")
    func everyRouteHasItsOwnRule() throws {
        var count = 0
        for (service, routes) in SuiteAccess.routesByService {
            let policy = AccessPolicy(routes: routes)
            for route in routes {
                count += 1
                let path = HostileInputTests.path(route.path) { _ in "x" }
                let rule = try #require(policy.rule(method: route.method, path: path)?.rule, "\(service.rawValue): no rule for \(route.method) \(route.path)")
                #expect(rule.pattern == route.path && rule.access == route.access, "\(service.rawValue) \(route.method) \(route.path) is governed by \(rule.pattern)")
            }
        }
        #expect(count > 110)
    }

    @Test("401 without a valid token; a channel submits only for itself; a warehouse token cannot decide a held order; staff changes are audited under the real principal")
    func rolesAndChannels() async throws {
        try await withIntakeWorld { world in
            try await world.withIntakeAndRisk { edge, risk in
                var web = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
                web["orderNumber"] = "W-ACL-1"
                var address = web["shippingAddress"] as! [String: Any]
                address["street"] = "小区门口"   // too vague: risk holds the order
                web["shippingAddress"] = address
                let order = Array(try JSONSerialization.data(withJSONObject: web))

                // No token, an unknown token, a malformed header: 401 naming the header; nothing stored.
                for headers in [[:], Self.bearer(TestCredentials.freshToken()), ["Authorization": "Basic b3BzOm9wcw=="], ["Authorization": "Bearer "]] {
                    let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: order, headers: headers, anonymous: true)
                    #expect(reply.status == 401, "\(headers.keys): \(reply.text)")
                    #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "unauthenticated")
                    #expect(((reply.json["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "Authorization")
                }
                // The web shop's token cannot submit as the store's POS (or any other channel).
                let webToken = TestCredentials.token(.channel, channel: "web")
                for other in ["pos", "marketplace", "phone", "teleport"] {
                    let reply = try await edge.send(.POST, "/v1/channels/\(other)/orders", body: order, headers: Self.bearer(webToken))
                    #expect(reply.status == 403 && (reply.json["error"] as? [String: Any])?["code"] as? String == "channel_not_permitted", "\(other): \(reply.text)")
                }
                // Staff tokens cannot submit orders at all.
                let asOps = try await edge.send(.POST, "/v1/channels/web/orders", body: order, headers: Self.bearer(TestCredentials.token(.ops)))
                #expect(asOps.status == 403 && (asOps.json["error"] as? [String: Any])?["code"] as? String == "role_not_allowed")
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).submissions") == 0)

                // Its own channel: accepted.
                let accepted = try await edge.send(.POST, "/v1/channels/web/orders", body: order, headers: Self.bearer(webToken))
                #expect(accepted.status == 202, "\(accepted.text)")
                let orderID = accepted.json["orderId"] as? String ?? ""
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held'") == 1
                })

                // Only risk decides a held order: warehouse, customer service, ops and channels get 403.
                let approve = "/v1/review/orders/\(orderID)/approve"
                for (role, channel) in [(AccessRole.warehouse, nil), (.customerService, nil), (.ops, nil), (.analyst, nil), (.channel, "web")] {
                    let reply = try await risk.send(.POST, approve, body: Array(#"{"note":"let it through"}"#.utf8), headers: Self.bearer(TestCredentials.token(role, channel: channel)))
                    #expect(reply.status == 403, "\(role): \(reply.text)")
                }
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held'") == 1)
                #expect(try await risk.send(.GET, "/v1/review/queue", headers: Self.bearer(TestCredentials.token(.warehouse))).status == 403)

                // A reviewer who claims to be someone else is recorded as who they are.
                var headers = Self.bearer(TestCredentials.token(.risk))
                headers["X-User-Id"] = "risk-director"
                let decided = try await risk.send(.POST, approve, body: Array(#"{"reviewerId":"risk-director","note":"called, fine"}"#.utf8), headers: headers)
                #expect(decided.status == 200, "\(decided.text)")
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE decided_by = 'risk-1' AND order_id = '\(orderID)'") == 1)

                // Ops changes the catalog: audited under its name; the audit trail is ops-only.
                let product = #"{"name":"ACL test tee","category":"apparel","listPriceFen":9900,"weightGrams":200,"volumeCm3":900}"#
                let put = try await edge.send(.PUT, "/v1/admin/products/ACL-TEE-1", body: Array(product.utf8), headers: ["X-User-Id": "ops-1"])
                #expect(put.status == 200, "\(put.text)")
                #expect(try await edge.send(.PUT, "/v1/admin/products/ACL-TEE-1", body: Array(product.utf8), headers: Self.bearer(TestCredentials.token(.customerService))).status == 403)
                let audit = try await edge.send(.GET, "/v1/audit?principal=ops-1", headers: Self.bearer(TestCredentials.token(.ops)))
                #expect(audit.status == 200, "\(audit.text)")
                let entries = audit.json["entries"] as? [[String: Any]] ?? []
                #expect(entries.contains { $0["path"] as? String == "/v1/admin/products/ACL-TEE-1" && $0["method"] as? String == "PUT" && $0["role"] as? String == "ops" && $0["status"] as? Int == put.status })
                let riskAudit = try await risk.send(.GET, "/v1/audit", headers: Self.bearer(TestCredentials.token(.ops)))
                #expect((riskAudit.json["entries"] as? [[String: Any]] ?? []).contains { $0["principal"] as? String == "risk-1" && $0["status"] as? Int == 200 && ($0["path"] as? String)?.hasSuffix("/approve") == true })
                #expect(try await edge.send(.GET, "/v1/audit", headers: Self.bearer(TestCredentials.token(.warehouse))).status == 403)
                #expect(try await edge.send(.GET, "/v1/audit?limit=0", headers: Self.bearer(TestCredentials.token(.ops))).status == 422)

                // Open: probes and scrapes; closed: anything no rule covers, even with a token.
                #expect(try await edge.send(.GET, "/health/live", anonymous: true).status == 200)
                #expect(try await edge.send(.GET, "/metrics", anonymous: true).status == 200)
                let unknown = try await edge.send(.GET, "/v1/secret-admin", headers: Self.bearer(TestCredentials.token(.ops)))
                #expect(unknown.status == 403 && (unknown.json["error"] as? [String: Any])?["code"] as? String == "no_access_rule")
            }
        }
    }

    @Test("the console's token acts only for a named staff member, with that member's role, and the audit trail names the person")
    func consoleDelegation() async throws {
        try await withIntakeWorld { world in
            var web = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
            web["orderNumber"] = "W-ACL-CONSOLE-1"
            let order = Array(try JSONSerialization.data(withJSONObject: web))
            let app = try world.application(role: .edge)
            let console = TestCredentials.token(.console)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let accepted = try await edge.send(.POST, "/v1/channels/web/orders", body: order,
                                                   headers: Self.bearer(TestCredentials.token(.channel, channel: "web")))
                let orderID = accepted.json["orderId"] as? String ?? ""
                func code(_ reply: EdgeClient.Reply) -> String? { (reply.json["error"] as? [String: Any])?["code"] as? String }
                var headers = Self.bearer(console)
                let alone = try await edge.send(.GET, "/v1/orders/\(orderID)", headers: headers)
                #expect(alone.status == 403 && code(alone) == "delegation_required", "\(alone.text)")
                headers["X-OMS-Staff"] = "li.wei"
                headers["X-OMS-Staff-Role"] = "customer-service"
                #expect(try await edge.send(.GET, "/v1/orders/\(orderID)", headers: headers).status == 200)
                for (role, expected) in [("warehouse", "role_not_allowed"), ("channel", "delegation_invalid"), ("console", "delegation_invalid")] {
                    headers["X-OMS-Staff-Role"] = role
                    let refused = try await edge.send(.GET, "/v1/orders/\(orderID)", headers: headers)
                    #expect(refused.status == 403 && code(refused) == expected, "\(role): \(refused.text)")
                }
                // The staff headers mean nothing with any other token: a customer-service token stays itself.
                var claimed = Self.bearer(TestCredentials.token(.customerService))
                claimed["X-OMS-Staff"] = "boss"
                claimed["X-OMS-Staff-Role"] = "ops"
                #expect(try await edge.send(.POST, "/v1/admin/coupons", body: Array(#"{"promotionId":"X","count":1}"#.utf8), headers: claimed).status == 403)
                // A change made through the console is audited under the person's name and role.
                headers["X-OMS-Staff-Role"] = "customer-service"
                let cancelled = try await edge.send(.POST, "/v1/orders/\(orderID)/cancel", body: Array(#"{"reason":"customer changed their mind"}"#.utf8), headers: headers)
                #expect([200, 202, 409].contains(cancelled.status), "\(cancelled.text)")
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.schema).access_audit WHERE principal = 'li.wei' AND role = 'customer-service' AND path LIKE '%/cancel'") == 1
                })
            }
        }
    }

    @Test("a channel's token reads its own orders (the 202's statusUrl), an accepted but unprocessed one included; another channel's, or by phone: 403")
    func channelReadsItsOwnOrders() async throws {
        try await withIntakeWorld { world in
            var web = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
            web["orderNumber"] = "W-ACL-READ-1"
            let order = Array(try JSONSerialization.data(withJSONObject: web))
            let webToken = TestCredentials.token(.channel, channel: "web")
            let posToken = TestCredentials.token(.channel, channel: "pos")
            // The edge alone: no worker processes the order, so it stays `accepted`.
            let app = try world.application(role: .edge)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let accepted = try await edge.send(.POST, "/v1/channels/web/orders", body: order, headers: Self.bearer(webToken))
                #expect(accepted.status == 202, "\(accepted.text)")
                let statusURL = accepted.json["statusUrl"] as? String ?? "/v1/orders/none"
                let orderID = accepted.json["orderId"] as? String ?? ""

                let own = try await edge.send(.GET, statusURL, headers: Self.bearer(webToken))
                #expect(own.status == 200 && own.json["status"] as? String == "accepted" && own.json["orderId"] as? String == orderID, "\(own.text)")
                let lookup = "/v1/orders?channel=web&channelOrderId=W-ACL-READ-1"
                let found = try await edge.send(.GET, lookup, headers: Self.bearer(webToken))
                let rows = found.json["orders"] as? [[String: Any]] ?? []
                #expect(found.status == 200 && rows.count == 1, "\(found.text)")
                #expect(rows.first?["orderId"] as? String == orderID && rows.first?["status"] as? String == "accepted")

                for (path, token) in [(statusURL, posToken), ("/v1/orders?channel=web&channelOrderId=W-ACL-READ-1", posToken),
                                      ("/v1/orders?channel=pos&channelOrderId=W-ACL-READ-1", webToken), ("/v1/orders?phone=13800138000", webToken),
                                      ("/v1/orders?status=received", webToken), ("/v1/orders?channel=pos&status=received", webToken)] {
                    let refused = try await edge.send(.GET, path, headers: Self.bearer(token))
                    #expect(refused.status == 403 && (refused.json["error"] as? [String: Any])?["code"] as? String == "channel_not_permitted", "\(path): \(refused.text)")
                }
                // Staff still read it; once a worker has processed it, the channel reads it received, listed once.
                #expect(try await edge.send(.GET, statusURL).status == 200)
                let processed = try await world.withWorkers(1) {
                    try await world.eventually {
                        try await edge.send(.GET, statusURL, headers: Self.bearer(webToken)).json["status"] as? String == "received"
                    }
                }
                #expect(processed)
                let after = try await edge.send(.GET, lookup, headers: Self.bearer(webToken))
                #expect((after.json["orders"] as? [[String: Any]])?.map { $0["status"] as? String } == ["received"], "\(after.text)")
            }
        }
    }
}
