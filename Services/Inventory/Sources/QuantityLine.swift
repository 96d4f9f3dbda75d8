import OMSPlatform

/// A SKU and a number of units, as sent in receipts, transfers and purchase orders.
struct QuantityLine: Codable, Hashable, Sendable {
    var sku: String
    var quantity: Int
}

extension RequestCheck {
    /// Lines of SKUs and quantities: non-empty, each valid, one line per SKU.
    mutating func lines(_ lines: [QuantityLine], _ field: String = "lines") {
        if lines.isEmpty || lines.count > 500 { fail(field, "1-500 lines") }
        for (index, line) in lines.enumerated() {
            sku(line.sku, "\(field)[\(index)].sku")
            units(line.quantity, "\(field)[\(index)].quantity")
        }
        if Set(lines.map(\.sku)).count != lines.count { fail(field, "one line per SKU") }
    }
}
