import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// The stored `CashOnDeliveryLedger` of each cash-on-delivery order and each parcel's share.
/// Invariant: ledgers are read `FOR UPDATE` and written in the caller's transaction, the same one
/// that creates (or loses) the shipments, so a replayed dispatch or a concurrent one never
/// assigns a unit twice.
enum CashOnDeliveryStore {
    /// The share each new parcel collects, by parcel id; `parcels` of orders not paid on delivery
    /// are skipped. Parcels are assigned in the order given.
    static func assign(_ parcels: [(parcelID: String, lines: [ParcelLine], order: Order)], connection: PostgresConnection,
                       logger: Logger) async throws -> [String: CashOnDeliveryLedger.ParcelShare] {
        let cod = parcels.filter { $0.order.payment.method == .cashOnDelivery }
        guard !cod.isEmpty else { return [:] }
        var ledgers = try await load(Set(cod.map(\.order.orderID)), connection: connection, logger: logger)
        var shares: [String: CashOnDeliveryLedger.ParcelShare] = [:]
        for parcel in cod {
            shares[parcel.parcelID] = ledgers[parcel.order.orderID, default: CashOnDeliveryLedger()].assign(parcel.lines, of: parcel.order)
        }
        try await save(ledgers, connection: connection, logger: logger)
        return shares
    }

    /// A lost parcel's share is owed again (its re-shipment collects it).
    static func creditBack(shipmentID: String, orderID: String, connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query("SELECT cod_share::text FROM shipments WHERE id = \(shipmentID) AND cod_share IS NOT NULL", logger: logger)
        var share: CashOnDeliveryLedger.ParcelShare?
        for try await text in rows.decode(String.self) { share = try EventCoding.decode(CashOnDeliveryLedger.ParcelShare.self, from: Array(text.utf8)) }
        guard let share else { return }
        var ledgers = try await load([orderID], connection: connection, logger: logger)
        ledgers[orderID, default: CashOnDeliveryLedger()].creditBack(share)
        try await save(ledgers, connection: connection, logger: logger)
    }

    private static func load(_ orderIDs: Set<String>, connection: PostgresConnection, logger: Logger) async throws -> [String: CashOnDeliveryLedger] {
        let ids = orderIDs.sorted()
        // A row to lock even for an order's first parcel.
        let empty = String(decoding: try EventCoding.encode(CashOnDeliveryLedger()), as: UTF8.self)
        try await connection.query("""
            INSERT INTO cod_ledgers (order_id, ledger) SELECT o, \(empty)::jsonb FROM unnest(\(ids)::text[]) AS u(o)
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
        let rows = try await connection.query("SELECT order_id, ledger::text FROM cod_ledgers WHERE order_id = ANY(\(ids)::text[]) ORDER BY order_id FOR UPDATE", logger: logger)
        var ledgers: [String: CashOnDeliveryLedger] = [:]
        for try await (id, text) in rows.decode((String, String).self) { ledgers[id] = try EventCoding.decode(CashOnDeliveryLedger.self, from: Array(text.utf8)) }
        return ledgers
    }

    private static func save(_ ledgers: [String: CashOnDeliveryLedger], connection: PostgresConnection, logger: Logger) async throws {
        let ids = ledgers.keys.sorted()
        let bodies = try ids.map { String(decoding: try EventCoding.encode(ledgers[$0]!), as: UTF8.self) }
        try await connection.query("""
            INSERT INTO cod_ledgers (order_id, ledger) SELECT o, l::jsonb FROM unnest(\(ids)::text[], \(bodies)::text[]) AS u(o, l)
            ON CONFLICT (order_id) DO UPDATE SET ledger = excluded.ledger, updated_at = now()
            """, logger: logger)
    }
}
