import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// SQL of stock transfers between warehouses. Invariant: a transfer moves requested → in_transit
/// → received, or requested → cancelled; the stock it moves is booked in the ledger by the caller
/// in the same transaction as the status change.
enum TransferStore {
    /// The transfer, its row locked until the caller's transaction ends when `lock`.
    static func find(_ id: String, lock: Bool, connection: PostgresConnection, logger: Logger) async throws -> TransferRoutes.TransferView? {
        let rows = try await connection.query(lock
            ? "SELECT from_warehouse, to_warehouse, status, lines::text, expected_at FROM transfers WHERE transfer_id = \(id) FOR UPDATE"
            : "SELECT from_warehouse, to_warehouse, status, lines::text, expected_at FROM transfers WHERE transfer_id = \(id)", logger: logger)
        for try await (from, to, status, lines, expected) in rows.decode((String, String, String, String, Date?).self) {
            return .init(transferId: id, fromWarehouse: from, toWarehouse: to, status: status,
                         lines: try EventCoding.decode([QuantityLine].self, from: Array(lines.utf8)), expectedAt: expected)
        }
        return nil
    }

    static func create(_ transfer: TransferRoutes.TransferView, requestedBy user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO transfers (transfer_id, from_warehouse, to_warehouse, status, lines, expected_at, requested_by)
            VALUES (\(transfer.transferId), \(transfer.fromWarehouse), \(transfer.toWarehouse), \(transfer.status),
                    \(String(decoding: try EventCoding.encode(transfer.lines), as: UTF8.self))::jsonb, \(transfer.expectedAt), \(user))
            """, logger: logger)
    }

    static func markShipped(_ id: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE transfers SET status = 'in_transit', shipped_at = \(now) WHERE transfer_id = \(id)", logger: logger)
    }

    static func markReceived(_ id: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE transfers SET status = 'received', received_at = \(now) WHERE transfer_id = \(id)", logger: logger)
    }

    static func markCancelled(_ id: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE transfers SET status = 'cancelled' WHERE transfer_id = \(id)", logger: logger)
    }
}
