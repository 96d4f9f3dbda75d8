import HTTPTypes
import OMSPlatform
import Testing

/// The console acts for a staff member with that member's role, never more.
struct StaffDelegationTests {
    let console = Principal(name: "oms-console", role: .console)

    func headers(_ name: String?, _ role: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let name { fields[StaffDelegation.staffHeader] = name }
        if let role { fields[StaffDelegation.roleHeader] = role }
        return fields
    }

    @Test func aConsoleTokenActsAsTheNamedPersonWithTheirRole() throws {
        let principal = try StaffDelegation.effectivePrincipal(console, headers: headers("li.wei", "risk"))
        #expect(principal == Principal(name: "li.wei", role: .risk, delegatedBy: "oms-console"))
    }

    @Test func aConsoleTokenAloneMayDoNothing() {
        #expect(throws: APIError.self) { try StaffDelegation.effectivePrincipal(console, headers: headers(nil, nil)) }
        #expect(throws: APIError.self) { try StaffDelegation.effectivePrincipal(console, headers: headers("li.wei", nil)) }
        let policy = AccessPolicy(rules: [AccessRule(.reads, "/v1/review/queue", .roles([.risk]))])
        #expect(policy.refusal(for: console, method: .get, path: "/v1/review/queue") != nil)
    }

    @Test func theConsoleCannotClaimAChannelOrItself() {
        for role in ["channel", "console", "root", ""] {
            #expect(throws: APIError.self) { try StaffDelegation.effectivePrincipal(console, headers: headers("li.wei", role)) }
        }
        #expect(throws: APIError.self) { try StaffDelegation.effectivePrincipal(console, headers: headers("li wei\r\nX: y", "risk")) }
    }

    @Test func otherTokensIgnoreTheHeaders() throws {
        let desk = Principal(name: "cs-desk", role: .customerService)
        #expect(try StaffDelegation.effectivePrincipal(desk, headers: headers("boss", "ops")) == desk)
        #expect(try StaffDelegation.effectivePrincipal(nil, headers: headers("boss", "ops")) == nil)
    }

    @Test func aDelegatedRoleIsJudgedAsThatRole() throws {
        let policy = AccessPolicy(rules: [AccessRule(.reads, "/v1/review/queue", .roles([.risk]))])
        let asWarehouse = try StaffDelegation.effectivePrincipal(console, headers: headers("zhao.lei", "warehouse"))
        #expect(policy.refusal(for: asWarehouse, method: .get, path: "/v1/review/queue") != nil)
        let asRisk = try StaffDelegation.effectivePrincipal(console, headers: headers("li.wei", "risk"))
        #expect(policy.refusal(for: asRisk, method: .get, path: "/v1/review/queue") == nil)
    }
}
