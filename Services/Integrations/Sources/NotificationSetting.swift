import OMSDomain

/// Which media carry a message type, and to customers of which sales channels. Invariant: by
/// default every type goes by SMS and e-mail (e-mail only when the customer gave an address) to
/// customers of the web shop, mini-programs and phone orders; marketplace buyers hear from their
/// platform (whose numbers are virtual) and till customers are served face to face, so neither is
/// messaged unless ops say so.
struct NotificationSetting: Codable, Sendable, Equatable {
    static let defaultSalesChannels: [String] = [Channel.web, .miniprogram, .phone].map(\.rawValue)

    var messageType: NotificationMessageType
    var sms: Bool
    var email: Bool
    var salesChannels: [String]
    /// "default" (built in) or "edited" (saved by ops).
    var source: String

    static func builtIn(_ type: NotificationMessageType) -> NotificationSetting {
        NotificationSetting(messageType: type, sms: true, email: true, salesChannels: defaultSalesChannels, source: "default")
    }

    /// The media a message goes by for an order of `salesChannel`.
    func media(for salesChannel: String) -> [NotificationMedium] {
        guard salesChannels.contains(salesChannel) else { return [] }
        return (sms ? [.sms] : []) + (email ? [.email] : [])
    }
}
