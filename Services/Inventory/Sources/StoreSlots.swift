import Foundation
import Logging
import PostgresNIO

/// The online orders sourced to capacity-limited shipping stores on one Asia/Shanghai day, as one
/// allocation transaction sees them (`store_capacity_days`).
///
/// Invariant: a slot is taken in the database with a conditional upsert that holds the store's day
/// row until commit, so two workers never source more orders to a store than its capacity; this
/// object only remembers what the transaction learned, so a full store is not tried again.
final class StoreSlots {
    let day: String
    private var used: [String: Int]

    init(day: String, used: [String: Int]) {
        self.day = day
        self.used = used
    }

    /// Today's counts of the stores that have a capacity.
    static func load(for warehouses: [WarehouseRecord], now: Date, connection: PostgresConnection, logger: Logger) async throws -> StoreSlots {
        let day = StoreShipping.shanghaiDay(now)
        let limited = warehouses.filter { $0.storeShipping?.dailyCapacity != nil }.map(\.code)
        var used: [String: Int] = [:]
        if !limited.isEmpty {
            let rows = try await connection.query("""
                SELECT store_code, orders FROM store_capacity_days WHERE day = \(day)::date AND store_code = ANY(\(limited)::text[])
                """, logger: logger)
            for try await (code, orders) in rows.decode((String, Int).self) { used[code] = orders }
        }
        return StoreSlots(day: day, used: used)
    }

    func hasRoom(_ warehouse: WarehouseRecord) -> Bool {
        warehouse.storeShipping?.hasRoom(used: used[warehouse.code] ?? 0) ?? true
    }

    /// Takes one slot of `store`'s day. `strict`: refused (false) when the day is full; otherwise
    /// counted regardless (re-sourcing an order that must be served somewhere).
    func take(_ store: WarehouseRecord, strict: Bool, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard let capacity = store.storeShipping?.dailyCapacity else { return true }
        if strict && capacity == 0 { return false }
        let rows = try await connection.query("""
            INSERT INTO store_capacity_days AS d (store_code, day, orders) VALUES (\(store.code), \(day)::date, 1)
            ON CONFLICT (store_code, day) DO UPDATE SET orders = d.orders + 1 WHERE NOT \(strict) OR d.orders < \(capacity)
            RETURNING orders
            """, logger: logger)
        for try await orders in rows.decode(Int.self) {
            used[store.code] = orders
            return true
        }
        used[store.code] = capacity
        return false
    }

    /// Gives back a slot taken for a plan that ended up not using the store.
    func giveBack(_ store: WarehouseRecord, connection: PostgresConnection, logger: Logger) async throws {
        guard store.storeShipping?.dailyCapacity != nil else { return }
        try await connection.query("""
            UPDATE store_capacity_days SET orders = orders - 1 WHERE store_code = \(store.code) AND day = \(day)::date AND orders > 0
            """, logger: logger)
        used[store.code] = max(0, (used[store.code] ?? 1) - 1)
    }
}
