/// The buyer and recipient of an order. `customerKey` is a stable pseudonymous key (used for
/// analytics and segmentation); name and phone are personal data and never logged unmasked.
public struct Customer: Codable, Hashable, Sendable {
    /// Stable, non-PII identifier (e.g. a keyed hash of channel + account id).
    public var customerKey: String
    public var name: String
    /// Mainland mobile number, 11 digits.
    public var phone: String
    public var email: String?
    public var isMember: Bool

    public init(customerKey: String, name: String, phone: String, email: String? = nil, isMember: Bool = false) {
        self.customerKey = customerKey
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
