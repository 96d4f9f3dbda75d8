import Foundation

/// A decoded order's totals are computable: the sum of its lines, discounts and shipping fee
/// stays within `Money.wireLimit`, so `total` and friends never trap on an order from the wire.
extension Order {
    private enum CodingKeys: String, CodingKey {
        case orderID, channel, channelOrderID, customer, deliveryAddress, lines, shippingFee, payment, requestedService, deviceKey, placedAt, invoice, pickupStoreID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let lines = try container.decode([OrderLine].self, forKey: .lines)
        let shippingFee = try container.decode(Money.self, forKey: .shippingFee)
        guard Self.totalsFit(lines: lines, shippingFee: shippingFee) else {
            throw DecodingError.dataCorruptedError(forKey: .lines, in: container, debugDescription: "order total beyond ±\(Money.wireLimit) fen")
        }
        self.init(orderID: try container.decode(String.self, forKey: .orderID), channel: try container.decode(Channel.self, forKey: .channel),
                  channelOrderID: try container.decode(String.self, forKey: .channelOrderID), customer: try container.decode(Customer.self, forKey: .customer),
                  deliveryAddress: try container.decodeIfPresent(Address.self, forKey: .deliveryAddress), lines: lines, shippingFee: shippingFee,
                  payment: try container.decode(Payment.self, forKey: .payment), requestedService: try container.decodeIfPresent(String.self, forKey: .requestedService),
                  deviceKey: try container.decodeIfPresent(String.self, forKey: .deviceKey), placedAt: try container.decode(Date.self, forKey: .placedAt),
                  invoice: try container.decodeIfPresent(InvoiceRequest.self, forKey: .invoice),
                  pickupStoreID: try container.decodeIfPresent(String.self, forKey: .pickupStoreID))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orderID, forKey: .orderID)
        try container.encode(channel, forKey: .channel)
        try container.encode(channelOrderID, forKey: .channelOrderID)
        try container.encode(customer, forKey: .customer)
        try container.encodeIfPresent(deliveryAddress, forKey: .deliveryAddress)
        try container.encode(lines, forKey: .lines)
        try container.encode(shippingFee, forKey: .shippingFee)
        try container.encode(payment, forKey: .payment)
        try container.encodeIfPresent(requestedService, forKey: .requestedService)
        try container.encodeIfPresent(deviceKey, forKey: .deviceKey)
        try container.encode(placedAt, forKey: .placedAt)
        try container.encodeIfPresent(invoice, forKey: .invoice)
        try container.encodeIfPresent(pickupStoreID, forKey: .pickupStoreID)
    }

    /// Whether goods, discounts and the total stay within the wire limit (checked without trapping).
    static func totalsFit(lines: [OrderLine], shippingFee: Money) -> Bool {
        var goods: Int64 = 0
        var discounts: Int64 = 0
        for line in lines {
            let (lineTotal, lineOverflow) = line.unitPrice.minorUnits.multipliedReportingOverflow(by: Int64(line.quantity))
            let (nextGoods, goodsOverflow) = goods.addingReportingOverflow(lineTotal)
            let (nextDiscounts, discountOverflow) = discounts.addingReportingOverflow(line.allocatedDiscount.minorUnits)
            guard !lineOverflow, !goodsOverflow, !discountOverflow,
                  nextGoods.magnitude <= UInt64(Money.wireLimit), nextDiscounts.magnitude <= UInt64(Money.wireLimit) else { return false }
            goods = nextGoods
            discounts = nextDiscounts
        }
        // Each term is within the limit, so this cannot overflow.
        return (goods - discounts + shippingFee.minorUnits).magnitude <= UInt64(Money.wireLimit)
    }
}
