import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Set-up for the transport desk: dispatch origins (`PUT|GET /v1/logistics/warehouses/{code}`) and
/// carrier services (`PUT|GET /v1/logistics/carriers/{code}`, `GET /v1/logistics/carriers`).
struct LogisticsSetupRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct OriginRequest: Codable, Sendable {
        var name: String
        var province: String
        var city: String
        var address: String
    }

    static let endpoints: [Endpoint<Self>] = [
        .put("/v1/logistics/warehouses/:code", [.ops], "Set a warehouse's dispatch origin", use: putOrigin),
        .get("/v1/logistics/warehouses/:code", [.warehouse, .ops], "One warehouse's dispatch origin", use: showOrigin),
        .put("/v1/logistics/carriers/:code", [.ops], "Create or replace a carrier and its rates", use: putCarrier),
        .get("/v1/logistics/carriers", [.warehouse, .ops], "Every carrier and its rates", use: listCarriers),
    ]

    func putOrigin(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let body = try await request.decodeJSON(as: OriginRequest.self, context: context)
        var check = RequestCheck()
        check.code(code, "code")
        check.text(body.name, "name")
        check.text(body.province, "province", max: 50)
        check.text(body.city, "city", max: 50)
        check.text(body.address, "address", max: 200)
        try check.check()
        let origin = CarrierStore.Origin(code: code, name: body.name, province: body.province, city: body.city, address: body.address)
        try await runtime.database.client.withConnection { try await CarrierStore.save(origin, connection: $0, logger: runtime.logger) }
        return try Response.json(origin)
    }

    func showOrigin(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let origins = try await runtime.database.client.withConnection { try await CarrierStore.origins([code], connection: $0, logger: runtime.logger) }
        guard let origin = origins[code] else { throw APIError.notFound("warehouse") }
        return try Response.json(origin)
    }

    func putCarrier(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let carrier = try await request.decodeJSON(as: Carrier.self, context: context)
        var check = RequestCheck()
        check.code(code, "code")
        if carrier.code != code { check.fail("code", "must equal the path") }
        check.code(carrier.carrierCode, "carrierCode")
        check.text(carrier.name, "name")
        if !(0...100).contains(carrier.qualityScore) { check.fail("qualityScore", "0-100") }
        if !(1...1_000_000).contains(carrier.maxWeightGrams) { check.fail("maxWeightGrams", "1-1000000 g") }
        if carrier.transitDays.isEmpty || carrier.transitDays.keys.contains(where: { DeliveryZone(rawValue: $0) == nil }) || carrier.transitDays.values.contains(where: { !(0...60).contains($0) }) {
            check.fail("transitDays", "zones \(DeliveryZone.allCases.map(\.rawValue).joined(separator: ", ")) to 0-60 days")
        }
        let bands = carrier.rates.bands
        if bands.isEmpty || zip(bands, bands.dropFirst()).contains(where: { $0.maxGrams >= $1.maxGrams }) { check.fail("rates.bands", "at least one band, ascending maxGrams") }
        // Bounded so a quote (band fee + per-kg extra x at most 1,000 kg) can never overflow.
        let fees = bands.flatMap(\.feeFen.values) + Array(carrier.rates.extraPerKgFen.values)
        if fees.contains(where: { !(0...1_000_000).contains($0) }) { check.fail("rates", "fees are 0-1000000 fen") }
        if carrier.trackingPrefix.isEmpty || carrier.trackingPrefix.count > 4 || !carrier.trackingPrefix.allSatisfy({ $0.isASCII && $0.isUppercase }) { check.fail("trackingPrefix", "1-4 capital letters") }
        if !(8...20).contains(carrier.trackingDigits) { check.fail("trackingDigits", "8-20") }
        try check.check()
        try await runtime.database.client.withConnection { try await CarrierStore.save(carrier, connection: $0, logger: runtime.logger) }
        return try Response.json(carrier)
    }

    func listCarriers(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let carriers = try await runtime.database.client.withConnection { try await CarrierStore.all(connection: $0, logger: runtime.logger) }
        return try Response.json(["carriers": carriers])
    }
}
