/// One SKU's quantity as a platform is told it (full update, not a delta). Invariant: `quantity`
/// is never negative (an oversold SKU is 0 on the platform); `version` is the stock level's
/// version it was read at, so a push never overwrites a newer quantity with an older one.
struct StockPush: Sendable, Equatable {
    var platform: String
    var sku: String
    /// The platform's listing id (Taobao `num_iid`, JD ware id).
    var itemId: String
    /// The platform's SKU id under the listing (Taobao `sku_id`, JD `skuId`), when it has variants.
    var platformSkuId: String?
    var quantity: Int
    var version: Int64
    var attempt: Int
}
