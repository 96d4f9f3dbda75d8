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
    /// Where the number came from (nil on waybills stored before e-waybills).
    public var numberSource: NumberSource?
    /// The routing data the carrier returned for the label (e.g. SF's `destRouteLabel`,
    /// `twoDimensionCode`), printed as the carrier requires; nil for local numbers.
    public var routeLabel: [String: String]?
    /// 合单: every order whose parcels travel in this box (nil for a box of one order).
    public var boxOrderIds: [String]?

    /// Who issued the tracking number.
    public enum NumberSource: String, Codable, Hashable, Sendable {
        /// The carrier's e-waybill API (电子面单): the number the carrier will scan.
        case carrierAPI = "carrier_api"
        /// The local counter in the carrier's format, for carriers without an API here.
        case localCounter = "local_counter"
    }

    public init(trackingNumber: String, carrier: String, carrierName: String, orderId: String, channelOrderId: String, sender: Party, recipient: Party,
                weightGrams: Int, insured: Bool, declaredValueFen: Int64?, cashOnDeliveryFen: Int64?, handling: [String], numberSource: NumberSource? = nil,
                routeLabel: [String: String]? = nil, boxOrderIds: [String]? = nil) {
        self.boxOrderIds = boxOrderIds
        self.trackingNumber = trackingNumber
        self.carrier = carrier
        self.carrierName = carrierName
        self.orderId = orderId
        self.channelOrderId = channelOrderId
        self.sender = sender
        self.recipient = recipient
        self.weightGrams = weightGrams
        self.insured = insured
        self.declaredValueFen = declaredValueFen
        self.cashOnDeliveryFen = cashOnDeliveryFen
        self.handling = handling
        self.numberSource = numberSource
        self.routeLabel = routeLabel
    }
}
