/// The buyer and recipient of an order. `customerKey` is a stable pseudonymous key of the channel
/// account (risk counts orders per account with it); `personKey` names the person across channels
/// (insights segments people with it); name and phone are personal data and never logged unmasked.
public struct Customer: Codable, Hashable, Sendable {
    /// Stable, non-PII identifier of the channel account (a keyed hash of channel + account id);
    /// `anonymous` for a walk-in sale at a till.
    public var customerKey: String
    /// The same for one person on every channel: a keyed hash of the mainland mobile number, else
    /// of the loyalty member number; nil when neither is known (a walk-in without a card).
    public var personKey: String?
    public var name: String
    /// Mainland mobile number, 11 digits.
    public var phone: String
    public var email: String?
    public var isMember: Bool

    public init(customerKey: String, name: String, phone: String, email: String? = nil, isMember: Bool = false, personKey: String? = nil) {
        self.customerKey = customerKey
        self.personKey = personKey
        self.name = name
        self.phone = phone
        self.email = email
        self.isMember = isMember
    }

    /// A mainland mobile number: 11 digits starting 1[3-9].
    public static func isMainlandMobile(_ phone: String) -> Bool {
        let digits = Array(phone.utf8)
        guard digits.count == 11, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return digits[0] == UInt8(ascii: "1") && digits[1] >= UInt8(ascii: "3")
    }
}
