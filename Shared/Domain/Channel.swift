/// A sales channel an order can arrive from. Each has its own native payload format at the intake edge.
public enum Channel: String, Codable, Sendable, CaseIterable {
    /// In-store till: barcodes scanned, paid at the till.
    case pos
    /// The retailer's own web shop.
    case web
    /// A Taobao/JD-style marketplace pushing orders.
    case marketplace
    /// A WeChat-style mini-program.
    case miniprogram
    /// Entered by a customer-service agent on the phone; may be cash on delivery.
    case phone
}
