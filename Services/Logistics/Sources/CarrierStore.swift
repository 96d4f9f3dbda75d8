import Logging
import OMSDomain
import PostgresNIO

/// Carriers and dispatch origins (read and set up), and tracking number sequences.
enum CarrierStore {
    /// Every carrier, active or not, by code.
    static func all(connection: PostgresConnection, logger: Logger) async throws -> [Carrier] {
        let rows = try await connection.query("SELECT definition::text FROM carriers ORDER BY code", logger: logger)
        var carriers: [Carrier] = []
        for try await text in rows.decode(String.self) { carriers.append(try EventCoding.decode(Carrier.self, from: Array(text.utf8))) }
        return carriers
    }

    /// Creates or replaces a carrier (its code is the row's key).
    static func save(_ carrier: Carrier, connection: PostgresConnection, logger: Logger) async throws {
        let definition = String(decoding: try EventCoding.encode(carrier), as: UTF8.self)
        try await connection.query("""
            INSERT INTO carriers (code, carrier_code, active, definition) VALUES (\(carrier.code), \(carrier.carrierCode), \(carrier.active), \(definition)::jsonb)
            ON CONFLICT (code) DO UPDATE SET carrier_code = excluded.carrier_code, active = excluded.active, definition = excluded.definition, updated_at = now()
            """, logger: logger)
    }

    /// Creates or replaces a warehouse's dispatch origin.
    static func save(_ origin: Origin, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO warehouses (code, name, province, city, address) VALUES (\(origin.code), \(origin.name), \(origin.province), \(origin.city), \(origin.address))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, province = excluded.province, city = excluded.city, address = excluded.address, updated_at = now()
            """, logger: logger)
    }

    static func active(connection: PostgresConnection, logger: Logger) async throws -> [Carrier] {
        let rows = try await connection.query("SELECT definition::text FROM carriers WHERE active ORDER BY code", logger: logger)
        var carriers: [Carrier] = []
        for try await text in rows.decode(String.self) { carriers.append(try EventCoding.decode(Carrier.self, from: Array(text.utf8))) }
        return carriers
    }

    struct Origin: Codable, Sendable {
        var code: String
        var name: String
        var province: String
        var city: String
        var address: String
    }

    static func origins(_ codes: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: Origin] {
        let rows = try await connection.query("SELECT code, name, province, city, address FROM warehouses WHERE code = ANY(\(codes)::text[])", logger: logger)
        var origins: [String: Origin] = [:]
        for try await (code, name, province, city, address) in rows.decode((String, String, String, String, String).self) {
            origins[code] = Origin(code: code, name: name, province: province, city: city, address: address)
        }
        return origins
    }

    /// `count` consecutive sequence values per carrier company, unique across every logistics
    /// process: the counter rows are locked until the transaction ends.
    static func reserveSequences(_ counts: [String: Int], connection: PostgresConnection, logger: Logger) async throws -> [String: ClosedRange<Int64>] {
        guard !counts.isEmpty else { return [:] }
        let codes = counts.keys.sorted()
        let rows = try await connection.query("""
            INSERT INTO carrier_counters (carrier_code, next_value) SELECT c, n FROM unnest(\(codes)::text[], \(codes.map { Int64(counts[$0]!) })::int8[]) AS u(c, n)
            ON CONFLICT (carrier_code) DO UPDATE SET next_value = carrier_counters.next_value + excluded.next_value
            RETURNING carrier_code, next_value
            """, logger: logger)
        var ranges: [String: ClosedRange<Int64>] = [:]
        for try await (code, last) in rows.decode((String, Int64).self) {
            ranges[code] = (last - Int64(counts[code]!) + 1)...last
        }
        return ranges
    }
}
