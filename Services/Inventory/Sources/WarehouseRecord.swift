import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// A stocking location as inventory keeps it. Invariant: only active locations of kind
/// `warehouse` ship parcels; a `store` only sells at its tills.
public struct WarehouseRecord: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var province: String
    public var city: String
    public var costPerParcelFen: Int64
    public var automatic: Bool
    /// "warehouse" or "store".
    public var kind: String
    public var active: Bool

    public init(code: String, name: String, province: String, city: String, costPerParcelFen: Int64, automatic: Bool = false, kind: String = "warehouse", active: Bool = true) {
        self.code = code
        self.name = name
        self.province = province
        self.city = city
        self.costPerParcelFen = costPerParcelFen
        self.automatic = automatic
        self.kind = kind
        self.active = active
    }

    var ships: Bool { active && kind == "warehouse" }

    func candidate(for address: Address?) -> SourcingPlanner.Candidate {
        SourcingPlanner.Candidate(code: code, proximity: DeliveryProximity.tier(warehouseProvince: province, city: city, to: address), costPerParcelFen: costPerParcelFen)
    }

    /// Creates or replaces the warehouse's settings (its stock rows are untouched).
    func save(on client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO warehouses (code, name, province, city, cost_per_parcel_fen, automatic, kind, active)
            VALUES (\(code), \(name), \(province), \(city), \(costPerParcelFen), \(automatic), \(kind), \(active))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, province = excluded.province, city = excluded.city,
                cost_per_parcel_fen = excluded.cost_per_parcel_fen, automatic = excluded.automatic, kind = excluded.kind,
                active = excluded.active, updated_at = now()
            """, logger: logger)
    }

    static func all(on connection: PostgresConnection, logger: Logger) async throws -> [WarehouseRecord] {
        let rows = try await connection.query("""
            SELECT code, name, province, city, cost_per_parcel_fen, automatic, kind, active FROM warehouses ORDER BY code
            """, logger: logger)
        var found: [WarehouseRecord] = []
        for try await (code, name, province, city, cost, automatic, kind, active) in rows.decode((String, String, String, String, Int64, Bool, String, Bool).self) {
            found.append(WarehouseRecord(code: code, name: name, province: province, city: city, costPerParcelFen: cost, automatic: automatic, kind: kind, active: active))
        }
        return found
    }
}
