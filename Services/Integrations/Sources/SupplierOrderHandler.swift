import Foundation
import OMSDomain
import OMSPlatform

/// Records each approved purchase order for the `SupplierOrderSender`, in the consumer's
/// transaction. Invariant: one row per purchase order (a replayed or redelivered approval records
/// nothing new); an approval that cannot be decoded is rejected (dead-lettered with the reason).
struct SupplierOrderHandler: EventHandler {
    var eventTypes: Set<String> { [PurchaseOrderApproved.eventType] }

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events {
            let approved: PurchaseOrderApproved
            do { approved = try event.decode(PurchaseOrderApproved.self) } catch {
                throw HandlerRejection("undecodable purchase order approval: \(String(describing: error).prefix(200))")
            }
            try await SupplierOrderStore.record(approved, eventID: event.eventID, connection: context.connection, logger: context.logger)
        }
    }
}
