import OMSDomain

/// An address in parts, as the retailer's own channels (web shop, phone orders) send it.
public struct AddressParts: Codable, Sendable {
    public var province: String
    public var city: String
    public var district: String
    public var street: String
    public var postalCode: String?
}

/// One line of an own-channel order: an OMS SKU and a quantity.
public struct SKULine: Codable, Sendable {
    public var sku: String
    public var quantity: Int
}

extension FieldChecker {
    mutating func address(_ parts: AddressParts, prefix: String) -> Address? {
        address(province: parts.province, city: parts.city, district: parts.district, street: parts.street, postalCode: parts.postalCode,
                prefix: prefix, names: ("province", "city", "district", "street", "postalCode"))
    }

    /// Checks SKU lines (`<field>[i].sku`, `<field>[i].quantity`) and returns the valid ones as draft lines.
    mutating func skuLines(_ lines: [SKULine], _ field: String) -> [OrderDraft.Line] {
        lineCount(lines.count, field)
        var draft: [OrderDraft.Line] = []
        for (index, line) in lines.enumerated() {
            let sku = text(line.sku, "\(field)[\(index)].sku")
            if quantity(line.quantity, "\(field)[\(index)].quantity"), let sku {
                draft.append(OrderDraft.Line(reference: .sku(sku), quantity: line.quantity))
            }
        }
        return draft
    }
}
