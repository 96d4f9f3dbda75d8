import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `return.received`: inspected items come back into the receiving warehouse: resellable units
/// raise on-hand (and fill backorders first in, first out), damaged or used units go to
/// quarantine, never on sale. Invariant: one return is booked once.
public struct ReturnRestockHandler: EventHandler {
    public let eventTypes: Set<String> = [ReturnReceived.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let received: ReturnReceived
        do { received = try event.decode(ReturnReceived.self) } catch { throw HandlerRejection("undecodable return.received: \(error)") }
        guard received.items.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("returned item with a non-positive quantity") }
        let connection = context.connection, logger = context.logger
        let known = try await connection.query("SELECT 1 FROM warehouses WHERE code = \(received.warehouseId)", logger: logger)
        var exists = false
        for try await _ in known.decode(Int.self) { exists = true }
        guard exists else { throw HandlerRejection("return \(received.returnId) received at unknown warehouse \(received.warehouseId)") }
        let booked = try await connection.query("SELECT 1 FROM stock_movements WHERE cause_type = 'return' AND cause_id = \(received.returnId) LIMIT 1", logger: logger)
        for try await _ in booked.decode(Int.self) { return }

        let keys = Set(received.items.map { StockKey(sku: $0.sku, warehouse: received.warehouseId) })
        let allocator = try await OrderAllocator.begin(skus: Set(keys.map(\.sku)), creating: keys, tx: context)
        let cause = StockLedger.Cause(type: "return", id: received.returnId)
        var restocked = Set<String>()
        for item in received.items {
            let key = StockKey(sku: item.sku, warehouse: received.warehouseId)
            if item.condition == .resellable {
                try allocator.ledger.record(.return, key, onHand: item.quantity, cause: cause)
                restocked.insert(item.sku)
            } else {
                try allocator.ledger.record(.quarantine, key, quarantined: item.quantity, cause: cause, reasonCode: item.condition.rawValue)
            }
        }
        let now = Date()
        _ = try await allocator.fillBackorders(skus: restocked, causedBy: event, now: now)
        try await allocator.ledger.flush(now: now)
    }
}
