import Foundation
import OMSPlatform
import PostgresNIO

/// The periodic side of fulfillment: releases a wave in every manual warehouse whose oldest waiting
/// order has waited the warehouse's window, and retries packing of automatic orders that were
/// blocked on missing item data. Invariant: safe with several replicas (waves take their orders
/// with `SKIP LOCKED`; packing locks its orders).
struct WaveScheduler: Sendable {
    let runtime: ServiceRuntime
    let configuration: FulfillmentConfiguration

    func job() -> PeriodicJob {
        PeriodicJob(name: "wave-scheduler", every: .seconds(configuration.waveCheckSeconds), runtime: runtime) { try await tick() }
    }

    func tick() async throws {
        let waiting = try await runtime.database.client.withConnection { connection in
            let rows = try await connection.query("""
                SELECT warehouse_code, min(created_at) FROM fulfillment_orders WHERE status = 'open' AND NOT automatic GROUP BY warehouse_code ORDER BY warehouse_code
                """, logger: runtime.logger)
            var waiting: [(String, Date)] = []
            for try await row in rows.decode((String, Date).self) { waiting.append(row) }
            return waiting
        }
        let now = Date()
        for (warehouse, _) in waiting {
            try await runtime.retryingTransaction { tx in
                let settings = try await WarehouseSettings.load([warehouse], defaults: configuration, connection: tx.connection, logger: tx.logger)[warehouse]!
                let cutoff = now.addingTimeInterval(-Double(settings.waveWindowSeconds))
                // Every wave that is due, not one per tick: a backlog after a quiet night clears at once.
                for _ in 0..<50 {
                    guard let wave = try await PickWave.release(warehouse: warehouse, releasedBy: "window", maxOrders: settings.waveMaxOrders, onlyIfOlderThan: cutoff,
                                                                connection: tx.connection, logger: tx.logger) else { break }
                    tx.logger.info("pick wave released", metadata: ["waveId": "\(wave.waveId)", "warehouse": "\(warehouse)", "orders": "\(wave.orderCount)", "trigger": "window"])
                }
            }
        }
        try await runtime.retryingTransaction { tx in
            let rows = try await tx.connection.query("""
                SELECT id FROM fulfillment_orders WHERE blocked_reason IS NOT NULL AND status = 'picked' ORDER BY id LIMIT 200
                """, logger: tx.logger)
            var blocked: [String] = []
            for try await id in rows.decode(String.self) { blocked.append(id) }
            _ = try await ParcelPacking(configuration: configuration).pack(blocked, packedBy: "automation", now: Date(), context: tx)
        }
    }
}
