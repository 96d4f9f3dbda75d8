import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// A stocking location as inventory keeps it. Invariant: active locations of kind `warehouse`
/// ship parcels; a `store` sells at its tills and ships online orders only when `shipsOnline`
/// (within its `StoreShipping` hours and daily capacity).
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
    /// A store that also ships online orders (ship-from-store).
    public var shipsOnline: Bool
    /// Online orders a shipping store's staff can pick per Asia/Shanghai day; nil: no limit.
    public var dailyCapacity: Int?
    /// A shipping store's opening hours, "HH:MM" Asia/Shanghai; nil: always open.
    public var opensAt: String?
    public var closesAt: String?

    public init(code: String, name: String, province: String, city: String, costPerParcelFen: Int64, automatic: Bool = false, kind: String = "warehouse", active: Bool = true,
                shipsOnline: Bool = false, dailyCapacity: Int? = nil, opensAt: String? = nil, closesAt: String? = nil) {
        self.code = code
        self.name = name
        self.province = province
        self.city = city
        self.costPerParcelFen = costPerParcelFen
        self.automatic = automatic
        self.kind = kind
        self.active = active
        self.shipsOnline = shipsOnline
        self.dailyCapacity = dailyCapacity
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    var ships: Bool { active && (kind == "warehouse" || shipsOnline) }

    /// A shipping store's hours and capacity; nil for a warehouse.
    var storeShipping: StoreShipping? {
        kind == "store" && shipsOnline ? StoreShipping(dailyCapacity: dailyCapacity, opensAt: opensAt, closesAt: closesAt) : nil
    }

    func candidate(for address: Address?, at now: Date) -> SourcingPlanner.Candidate {
        let tier = DeliveryProximity.tier(warehouseProvince: province, city: city, to: address)
        let closed = storeShipping.map { !$0.isOpen(at: now) } ?? false
        return SourcingPlanner.Candidate(code: code, proximity: tier + (closed ? StoreShipping.closedPenalty : 0), costPerParcelFen: costPerParcelFen)
    }

    /// Creates or replaces the warehouse's settings (its stock rows are untouched).
    func save(on client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO warehouses (code, name, province, city, cost_per_parcel_fen, automatic, kind, active, ships_online, daily_capacity, opens_at, closes_at)
            VALUES (\(code), \(name), \(province), \(city), \(costPerParcelFen), \(automatic), \(kind), \(active), \(shipsOnline), \(dailyCapacity), \(opensAt), \(closesAt))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, province = excluded.province, city = excluded.city,
                cost_per_parcel_fen = excluded.cost_per_parcel_fen, automatic = excluded.automatic, kind = excluded.kind,
                active = excluded.active, ships_online = excluded.ships_online, daily_capacity = excluded.daily_capacity,
                opens_at = excluded.opens_at, closes_at = excluded.closes_at, updated_at = now()
            """, logger: logger)
    }

    static func all(on connection: PostgresConnection, logger: Logger) async throws -> [WarehouseRecord] {
        let rows = try await connection.query("""
            SELECT code, name, province, city, cost_per_parcel_fen, automatic, kind, active, ships_online, daily_capacity, opens_at, closes_at FROM warehouses ORDER BY code
            """, logger: logger)
        var found: [WarehouseRecord] = []
        for try await row in rows.decode((String, String, String, String, Int64, Bool, String, Bool, Bool, Int?, String?, String?).self) {
            found.append(WarehouseRecord(code: row.0, name: row.1, province: row.2, city: row.3, costPerParcelFen: row.4, automatic: row.5, kind: row.6, active: row.7,
                                         shipsOnline: row.8, dailyCapacity: row.9, opensAt: row.10, closesAt: row.11))
        }
        return found
    }
}
