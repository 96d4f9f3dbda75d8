import OMSDomain
import OMSPlatform

/// The service's one consumer of business events (a pipeline takes one handler per type): each
/// part gets the batch's events of the types it handles, in order, in the same transaction.
/// Invariant: the webhook fan-out runs first, so the channels it learns from a batch are known to
/// the marketplace part of the same batch.
struct IntegrationsEventHandler: EventHandler {
    let parts: [any EventHandler]

    var eventTypes: Set<String> { parts.reduce(into: Set<String>()) { $0.formUnion($1.eventTypes) } }

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for part in parts {
            let types = part.eventTypes
            let mine = events.filter { types.contains($0.type) }
            if !mine.isEmpty { try await part.handle(batch: mine, context: context) }
        }
    }
}
