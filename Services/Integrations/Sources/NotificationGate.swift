import Foundation

/// Whether a due message goes out now, at send time (so an opt-out or a quiet hour that began
/// after the message was planned still counts). Invariant: an opt-out suppresses for good; quiet
/// hours and the per-recipient limit only defer (SMS only, delivery-day messages pass quiet
/// hours); nothing else is decided here.
struct NotificationGate: Sendable {
    var quietHours: QuietHours
    /// SMS to one number within any hour at most (0: no limit).
    var smsPerRecipientPerHour: Int

    enum Decision: Sendable, Equatable {
        case send
        case suppress(reason: String)
        case deferUntil(Date, reason: String)
    }

    /// - Parameters:
    ///   - optedOut: the recipient opted out of this message's kind.
    ///   - recentSends: when the SMS sent to this recipient within the last hour went out.
    func decide(medium: NotificationMedium, deliveryDay: Bool, optedOut: Bool, recentSends: [Date], now: Date) -> Decision {
        if optedOut { return .suppress(reason: "opted_out") }
        guard medium == .sms else { return .send }
        if !deliveryDay && quietHours.contains(now) { return .deferUntil(quietHours.nextAllowed(after: now), reason: "quiet_hours") }
        let window = recentSends.filter { $0 > now.addingTimeInterval(-3_600) }.sorted()
        if smsPerRecipientPerHour > 0 && window.count >= smsPerRecipientPerHour {
            // The earliest moment the window holds one fewer.
            let free = window[window.count - smsPerRecipientPerHour].addingTimeInterval(3_600)
            return .deferUntil(max(free, now.addingTimeInterval(1)), reason: "rate_limited")
        }
        return .send
    }
}

/// How a message reaches the customer.
enum NotificationMedium: String, Codable, Sendable, CaseIterable {
    case sms
    case email
}
