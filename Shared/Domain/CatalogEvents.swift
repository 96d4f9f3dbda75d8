import Foundation

/// `catalog.product-changed`: the product master (intake's catalog) created or changed a product;
/// every service keeping its own copy of product facts (fulfillment's item master) applies it, so
/// one call registers a product everywhere. Keyed `sku:<SKU>`: one SKU's changes arrive in order.
/// Invariant: a full snapshot of the SKU's shared facts; `version` rises with every change of the
/// SKU, and a consumer applies a version only when it is newer than the one it holds.
public struct ProductChanged: DomainEvent {
    public static let eventType = "catalog.product-changed"
    public static let schemaVersion = 1

    public var sku: String
    public var name: String
    public var category: String
    /// EAN-13 barcodes; each belongs to this SKU only.
    public var barcodes: [String]
    public var weightGrams: Int
    public var volumeCubicCentimetres: Int
    public var handling: HandlingAttributes
    /// False: no longer sold. Orders already placed for it are still packed and shipped.
    public var active: Bool
    public var version: Int64
    public var changedAt: Date

    public init(sku: String, name: String, category: String, barcodes: [String], weightGrams: Int, volumeCubicCentimetres: Int, handling: HandlingAttributes,
                active: Bool, version: Int64, changedAt: Date) {
        self.sku = sku
        self.name = name
        self.category = category
        self.barcodes = barcodes
        self.weightGrams = weightGrams
        self.volumeCubicCentimetres = volumeCubicCentimetres
        self.handling = handling
        self.active = active
        self.version = version
        self.changedAt = changedAt
    }

    /// The partition key of a SKU's product events.
    public static func key(sku: String) -> String { "sku:\(sku)" }
}
