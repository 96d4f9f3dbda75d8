/// A mainland-China delivery address as the channels send it: separate province/city/district parts.
/// Invariant: contains personal data; log it only through `PIIMask.address`.
public struct Address: Codable, Hashable, Sendable {
    public var province: String
    public var city: String
    public var district: String
    public var street: String
    /// Six-digit postal code.
    public var postalCode: String?

    public init(province: String, city: String, district: String, street: String, postalCode: String? = nil) {
        self.province = province
        self.city = city
        self.district = district
        self.street = street
        self.postalCode = postalCode
    }

    /// True when `postalCode` is absent or six ASCII digits.
    public var hasValidPostalCode: Bool {
        guard let postalCode else { return true }
        return postalCode.count == 6 && postalCode.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
