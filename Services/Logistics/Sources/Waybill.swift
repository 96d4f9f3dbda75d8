import OMSDomain

/// What is printed on the parcel's label: tracking number and carrier, sender, recipient (phone
/// partly masked, as Chinese waybills print it), order number, weight, insurance and cash to
/// collect. Invariant: the recipient's full phone number is never on it.
public struct Waybill: Codable, Hashable, Sendable {
    public struct Party: Codable, Hashable, Sendable {
        public var name: String
        public var phone: String?
        public var province: String
        public var city: String
        public var address: String

        init(name: String, phone: String? = nil, province: String, city: String, address: String) {
            self.name = name
            self.phone = phone
            self.province = province
            self.city = city
            self.address = address
        }

        /// The order's recipient, phone masked to 138****8000.
        init(order: Order) {
            let address = order.deliveryAddress
            self.init(name: order.customer.name, phone: PIIMask.phone(order.customer.phone), province: address?.province ?? "", city: address?.city ?? "",
                      address: [address?.district, address?.street].compactMap { $0 }.joined(separator: " "))
        }
    }

    public var trackingNumber: String
    public var carrier: String
    public var carrierName: String
    public var orderId: String
    public var channelOrderId: String
    public var sender: Party
    public var recipient: Party
    public var weightGrams: Int
    public var insured: Bool
    public var declaredValueFen: Int64?
    public var cashOnDeliveryFen: Int64?
    /// Packaging marks for handlers (protective_wrap, insulated_liner, ...).
    public var handling: [String]
}
