import Foundation
import OMSDomain

/// A receiver's standing order for events: where to POST them, which event types, optionally one
/// channel's orders only, and whether it may see customers' personal data unmasked.
/// Invariant: `url` passed `WebhookEndpointRule`; `eventTypes` is non-empty and every entry is a
/// public event type of the catalogue; the secret never leaves the service after creation.
public struct WebhookSubscription: Codable, Sendable, Equatable {
    /// active: delivering; suspended: too many failed deliveries in a row, deliveries queue until
    /// ops enable it; disabled: by ops or by a 410 answer, nothing is queued.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case active, suspended, disabled
    }

    public var subscriptionId: String
    public var name: String
    public var url: String
    public var eventTypes: [String]
    public var channel: String?
    public var includePersonalData: Bool
    public var status: Status
    public var statusReason: String?
    public var consecutiveFailures: Int
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    /// Event types a subscription may ask for: every event carried on a business topic, except
    /// the intake edge's private work-queue type.
    public static let subscribableEventTypes: [String] = {
        var seen = Set<String>()
        return TopicCatalogue.business.flatMap { $0.events.map { $0.eventType } }.filter { seen.insert($0).inserted }
    }()

    /// The authenticated data the subscription's secret is sealed under.
    public static func secretContext(_ subscriptionID: String) -> String { "webhook-secret:\(subscriptionID)" }

    /// Whether an event of `type` about an order of `channel` (nil: not known yet) is for this
    /// subscription: `nil` = not yet decidable (channel unknown and the subscription filters).
    public func wants(_ type: String, channel orderChannel: String?) -> Bool? {
        guard eventTypes.contains(type) else { return false }
        guard let channel else { return true }
        guard let orderChannel else { return nil }
        return orderChannel == channel
    }
}
