import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// The stored `CashOnDeliveryLedger` of each cash-on-delivery order and each parcel's share.
/// Invariant: ledgers are read `FOR UPDATE` and written in the caller's transaction, the same one
/// that creates (or loses) the shipments, so a replayed dispatch or a concurrent one never
/// assigns a unit twice.
enum CashOnDeliveryStore {
    /// The share each new parcel collects, by parcel id; parcels of orders not paid on delivery
    /// cost nothing here, and parcels already dispatched (a replayed event) are not assigned again.
    /// Parcels are assigned in the order given.
    static func assign(_ parcels: [(parcelID: String, lines: [ParcelLine], order: Order)], connection: PostgresConnection,
                       logger: Logger) async throws -> [String: CashOnDeliveryLedger.ParcelShare] {
        var cod = parcels.filter { $0.order.payment.method == .cashOnDelivery }
        guard !cod.isEmpty else { return [:] }
        let known = try await connection.query("SELECT parcel_id FROM shipments WHERE parcel_id = ANY(\(cod.map(\.parcelID))::text[])", logger: logger)
        var dispatched = Set<String>()
        for try await id in known.decode(String.self) { dispatched.insert(id) }
        cod.removeAll { dispatched.contains($0.parcelID) }
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

    /// A delivered parcel's reported collection: an amount other than the waybill's (or cash
    /// reported where none was due) is flagged for finance. A carrier that reports nothing leaves
    /// the parcel unreported in the reconciliation. Returns whether a report mismatched, nil
    /// without a report.
    static func recordCollection(shipmentID: String, collectedFen: Int64?, connection: PostgresConnection, logger: Logger) async throws -> Bool? {
        let rows = try await connection.query("""
            UPDATE shipments SET cod_collected_fen = \(collectedFen),
                   cod_mismatch = \(collectedFen)::int8 IS NOT NULL AND coalesce(cod_expected_fen, 0) <> \(collectedFen)::int8
            WHERE id = \(shipmentID) RETURNING cod_expected_fen, cod_mismatch
            """, logger: logger)
        for try await (_, mismatch) in rows.decode((Int64?, Bool).self) where collectedFen != nil {
            return mismatch
        }
        return nil
    }

    /// One row of the reconciliation: per carrier and Asia/Shanghai dispatch day.
    struct ReconciliationRow: Codable, Sendable {
        var carrier: String
        var day: String
        var parcels: Int
        var expectedFen: Int64
        var deliveredParcels: Int
        /// Reported collected on delivered parcels.
        var collectedFen: Int64
        /// Delivered parcels whose carrier reported no amount.
        var unreportedParcels: Int
        var mismatchedParcels: Int
        /// Collected minus expected, over delivered parcels with a report (negative: short).
        var differenceFen: Int64
        /// Expected on parcels still on their way.
        var openFen: Int64
        /// Expected on lost parcels (owed again by their re-shipments).
        var lostFen: Int64
    }

    /// Expected against collected cash, per carrier and dispatch day (Asia/Shanghai), days
    /// `from`...`to` inclusive.
    static func reconciliation(from: String, to: String, connection: PostgresConnection, logger: Logger) async throws -> [ReconciliationRow] {
        let rows = try await connection.query("""
            SELECT carrier_code, to_char((dispatched_at AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD') AS day, count(*)::int8,
                   sum(cod_expected_fen)::int8,
                   count(*) FILTER (WHERE status = 'delivered')::int8,
                   coalesce(sum(cod_collected_fen) FILTER (WHERE status = 'delivered'), 0)::int8,
                   count(*) FILTER (WHERE status = 'delivered' AND cod_collected_fen IS NULL)::int8,
                   count(*) FILTER (WHERE cod_mismatch)::int8,
                   coalesce(sum(cod_collected_fen - coalesce(cod_expected_fen, 0)) FILTER (WHERE status = 'delivered' AND cod_collected_fen IS NOT NULL), 0)::int8,
                   coalesce(sum(cod_expected_fen) FILTER (WHERE status NOT IN ('delivered', 'lost')), 0)::int8,
                   coalesce(sum(cod_expected_fen) FILTER (WHERE status = 'lost'), 0)::int8
            FROM shipments
            WHERE (cod_expected_fen IS NOT NULL OR cod_collected_fen IS NOT NULL)
              AND (dispatched_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN \(from)::date AND \(to)::date
            GROUP BY 1, 2 ORDER BY 2, 1
            """, logger: logger)
        var result: [ReconciliationRow] = []
        for try await (carrier, day, parcels, expected, delivered, collected, unreported, mismatched, difference, open, lost)
            in rows.decode((String, String, Int64, Int64?, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            result.append(ReconciliationRow(carrier: carrier, day: day, parcels: Int(parcels), expectedFen: expected ?? 0, deliveredParcels: Int(delivered),
                                            collectedFen: collected, unreportedParcels: Int(unreported), mismatchedParcels: Int(mismatched),
                                            differenceFen: difference, openFen: open, lostFen: lost))
        }
        return result
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
