import Foundation
import OMSDomain
import OMSPlatform

/// Turns every business event into the deliveries of the subscriptions that want it, in the
/// consumer's transaction (so an event is recorded once, with all its deliveries, or not at all).
/// Invariant: never calls a receiver (the dispatcher does); an event about an order whose channel
/// is not known yet is recorded for a channel-filtered subscription and waits until the order's
/// `order.received` (or `order.rejected`) names the channel, read from whichever topic comes first.
struct WebhookFanoutHandler: EventHandler {
    var eventTypes: Set<String> { Set(WebhookSubscription.subscribableEventTypes) }

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection
        let logger = context.logger
        var named: [String: String] = [:]
        for event in events where !event.orderID.hasPrefix("sku:") && named[event.orderID] == nil {
            if let channel = WebhookPayload.channel(of: event) { named[event.orderID] = channel }
        }
        try await DeliveryStore.learnChannels(named, connection: connection, logger: logger)
        let subscriptions = try await SubscriptionStore.receiving(connection: connection, logger: logger)
        guard !subscriptions.isEmpty else { return }
        let known = try await DeliveryStore.channels(of: Array(Set(events.map(\.orderID)).subtracting(named.keys)), connection: connection, logger: logger)
            .merging(named) { _, new in new }
        var recordings: [DeliveryStore.Recording] = []
        for event in events {
            let channel = known[event.orderID]
            var deliveries: [(subscriptionID: String, channel: String?)] = []
            var personal = false
            for subscription in subscriptions {
                switch subscription.wants(event.type, channel: channel) {
                case .some(true):
                    deliveries.append((subscription.subscriptionId, channel))
                    personal = personal || subscription.includePersonalData
                case .none where !event.orderID.hasPrefix("sku:"):
                    deliveries.append((subscription.subscriptionId, nil))
                    personal = personal || subscription.includePersonalData
                default:
                    continue
                }
            }
            guard !deliveries.isEmpty else { continue }
            let bodies: (masked: String, full: String?)
            do { bodies = try WebhookPayload.bodies(of: event, full: personal) } catch {
                throw HandlerRejection("payload of \(event.type) is not JSON")
            }
            let sealed = bodies.full.map { context.vault.seal($0, context: "webhook-event:\(event.eventID.uuidString.lowercased())") }
            recordings.append(DeliveryStore.Recording(event: event, masked: bodies.masked, sealedFull: sealed, deliveries: deliveries))
        }
        try await DeliveryStore.record(recordings, connection: connection, logger: logger)
    }
}
