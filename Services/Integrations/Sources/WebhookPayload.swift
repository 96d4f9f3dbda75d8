import Foundation
import OMSDomain

/// The versioned JSON body a receiver gets for one event:
/// `{"specVersion":1,"id","type","schemaVersion","occurredAt","orderId","data":{…}}`, where `data`
/// is the event's own payload (docs/architecture.md lists them). Invariant: the masked form holds
/// no customer name, phone, e-mail or street unmasked; only a subscription granted personal data
/// gets the full form. Times are UTC instants (ISO 8601).
public enum WebhookPayload {
    public static let specVersion = 1

    /// The masked body of `event`, and the full one when `full` (only a subscription granted
    /// personal data needs it). Throws when the payload is not JSON.
    public static func bodies(of event: EventEnvelope, full: Bool) throws -> (masked: String, full: String?) {
        let data = try JSONSerialization.jsonObject(with: Data(event.payload), options: [.fragmentsAllowed])
        return (try render(event, data: mask(data)), full ? try render(event, data: data) : nil)
    }

    static func render(_ event: EventEnvelope, data: Any) throws -> String {
        let envelope: [String: Any] = [
            "specVersion": specVersion, "id": event.eventID.uuidString.lowercased(), "type": event.type, "schemaVersion": event.schemaVersion,
            "occurredAt": Timestamps.format(event.occurredAt), "orderId": event.orderID, "data": data,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// Keys whose string values are personal data wherever they appear.
    static let personalKeys: Set<String> = ["phone", "mobile", "email", "street", "recipientName", "recipientPhone", "receiverName", "receiverPhone",
                                            "receiverAddress", "customerName", "customerPhone", "contactName", "contactPhone", "openid", "unionid", "buyerNick"]

    /// `value` with personal data masked: phones to `138****5678`, names to their first
    /// character, e-mails and streets to `***`. A `name` is a person's when its object also holds
    /// a phone (a customer), not a product's or a warehouse's.
    static func mask(_ value: Any) -> Any {
        if let array = value as? [Any] { return array.map(mask) }
        guard let object = value as? [String: Any] else { return value }
        let isPerson = object["phone"] != nil || object["mobile"] != nil
        var result: [String: Any] = [:]
        for (key, item) in object {
            if let text = item as? String, personalKeys.contains(key) || (key == "name" && isPerson) {
                let lowered = key.lowercased()
                if lowered.hasSuffix("phone") || lowered == "mobile" {
                    result[key] = PIIMask.phone(text)
                } else if lowered.hasSuffix("name") {
                    result[key] = PIIMask.name(text)
                } else {
                    result[key] = text.isEmpty ? text : "***"
                }
            } else {
                result[key] = mask(item)
            }
        }
        return result
    }

    /// Event types whose payload names the order's sales channel.
    static let channelNamingTypes: Set<String> = [OrderReceived.eventType, OrderRejected.eventType]

    /// The sales channel an event names (`order.channel` of `order.received`, `channel` of
    /// `order.rejected`); nil for other types and for a payload that is not a JSON object (the
    /// channel is then learnt from another event of the order; such a payload is dead-lettered
    /// when a subscription wants it, by `bodies`).
    static func channel(of event: EventEnvelope) -> String? {
        guard channelNamingTypes.contains(event.type), let object = (try? JSONSerialization.jsonObject(with: Data(event.payload))) as? [String: Any] else { return nil }
        if let order = object["order"] as? [String: Any], let channel = order["channel"] as? String { return channel }
        return object["channel"] as? String
    }
}
