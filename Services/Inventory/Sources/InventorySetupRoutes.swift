import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Set-up for operations staff: warehouses and stores (`PUT|GET /v1/inventory/warehouses`; a
/// store may ship online orders within its hours and daily capacity),
/// which channels may ship partially (`PUT|GET /v1/inventory/channel-policies`) and the split
/// policy (`GET|PUT /v1/inventory/sourcing-policy`).
struct InventorySetupRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct WarehouseRequest: Codable, Sendable {
        var name: String
        var province: String
        var city: String
        var costPerParcelFen: Int64
        var automatic: Bool?
        var kind: String?
        var active: Bool?
        /// A store only: it also ships online orders (ship-from-store).
        var shipsOnline: Bool?
        /// Online orders a shipping store picks per Asia/Shanghai day; absent: no limit.
        var dailyCapacity: Int?
        /// A shipping store's opening hours, "HH:MM" Asia/Shanghai; both or neither.
        var opensAt: String?
        var closesAt: String?
    }

    struct ChannelPolicy: Codable, Sendable {
        var channel: String
        var shipsPartially: Bool
    }

    struct ChannelPolicyRequest: Codable, Sendable {
        var shipsPartially: Bool
    }

    static let endpoints: [Endpoint<Self>] = [
        .put("/v1/inventory/warehouses/:code", [.ops], "Create or replace a warehouse", use: putWarehouse),
        .get("/v1/inventory/warehouses", [.warehouse, .ops], "Every warehouse", use: listWarehouses),
        .put("/v1/inventory/channel-policies/:channel", [.ops], "Set a channel's stock share policy", use: putChannelPolicy),
        .get("/v1/inventory/channel-policies", [.ops], "Every channel's stock share policy", use: listChannelPolicies),
        .get("/v1/inventory/sourcing-policy", [.ops], "The sourcing policy (how a warehouse is chosen)", use: showSourcingPolicy),
        .put("/v1/inventory/sourcing-policy", [.ops], "Set the sourcing policy", use: putSourcingPolicy),
    ]

    func putWarehouse(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let body = try await request.decodeJSON(as: WarehouseRequest.self, context: context)
        var check = RequestCheck()
        check.code(code, "code")
        check.text(body.name, "name")
        check.text(body.province, "province", max: 50)
        check.text(body.city, "city", max: 50)
        if body.costPerParcelFen < 0 || body.costPerParcelFen > 1_000_000 { check.fail("costPerParcelFen", "0-1000000 fen") }
        if let kind = body.kind, kind != "warehouse", kind != "store" { check.fail("kind", "warehouse or store") }
        let shipsOnline = body.shipsOnline ?? false
        if shipsOnline && body.kind != "store" { check.fail("shipsOnline", "only a store ships online orders besides selling at its tills; a warehouse always ships") }
        if !shipsOnline && (body.dailyCapacity != nil || body.opensAt != nil || body.closesAt != nil) {
            check.fail(body.dailyCapacity != nil ? "dailyCapacity" : "opensAt", "only for a store with shipsOnline")
        }
        if let capacity = body.dailyCapacity, !(0...100_000).contains(capacity) { check.fail("dailyCapacity", "0-100000 online orders a day") }
        let opens = body.opensAt.map(StoreShipping.minutes), closes = body.closesAt.map(StoreShipping.minutes)
        if let opens, opens == nil { check.fail("opensAt", "HH:MM (Asia/Shanghai)") }
        if let closes, closes == nil { check.fail("closesAt", "HH:MM (Asia/Shanghai)") }
        if (body.opensAt == nil) != (body.closesAt == nil) { check.fail(body.opensAt == nil ? "opensAt" : "closesAt", "give both opening and closing time, or neither") }
        if let open = opens ?? nil, let close = closes ?? nil, open >= close { check.fail("closesAt", "after opensAt (same day)") }
        try check.check()
        let record = WarehouseRecord(code: code, name: body.name, province: body.province, city: body.city, costPerParcelFen: body.costPerParcelFen,
                                     automatic: body.automatic ?? false, kind: body.kind ?? "warehouse", active: body.active ?? true,
                                     shipsOnline: shipsOnline, dailyCapacity: body.dailyCapacity, opensAt: body.opensAt, closesAt: body.closesAt)
        try await record.save(on: runtime.database.client, logger: runtime.logger)
        return try Response.json(record)
    }

    func listWarehouses(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let all = try await runtime.database.client.withConnection { try await WarehouseRecord.all(on: $0, logger: runtime.logger) }
        return try Response.json(["warehouses": all])
    }

    func putChannelPolicy(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let channel = context.parameters.get("channel") ?? ""
        guard OMSDomain.Channel(rawValue: channel) != nil else { throw APIError.validation([.init(field: "channel", reason: "unknown channel")]) }
        let body = try await request.decodeJSON(as: ChannelPolicyRequest.self, context: context)
        try await ChannelPolicyStore.save(ChannelPolicy(channel: channel, shipsPartially: body.shipsPartially), client: runtime.database.client, logger: runtime.logger)
        return try Response.json(ChannelPolicy(channel: channel, shipsPartially: body.shipsPartially))
    }

    func listChannelPolicies(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(["channels": try await ChannelPolicyStore.all(client: runtime.database.client, logger: runtime.logger)])
    }

    func showSourcingPolicy(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await runtime.database.client.withConnection { try await SourcingPolicyStore.current(on: $0, logger: runtime.logger) })
    }

    func putSourcingPolicy(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let policy = try await request.decodeJSON(as: SourcingPolicy.self, context: context)
        let problems = policy.problems
        guard problems.isEmpty else { throw APIError.validation(problems.map { .init(field: $0.field, reason: $0.reason) }) }
        let user = context.actingUser
        try await runtime.database.client.withConnection { try await SourcingPolicyStore.save(policy, by: user, on: $0, logger: runtime.logger) }
        return try Response.json(policy)
    }
}
