import Foundation

/// `inventory.purchase-order-approved`, keyed `po:<number>`: purchasing approved a purchase order
/// (a draft the OMS proposed, or one created by hand against a supplier of the master); the
/// integrations service sends it to the supplier. Invariant: emitted once per purchase order, in
/// the transaction that approved it; `totalFen` is the sum of the lines' quantity x unit cost.
public struct PurchaseOrderApproved: DomainEvent {
    public static let eventType = "inventory.purchase-order-approved"
    public static let schemaVersion = 1

    /// One ordered SKU at the supplier's cost.
    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        public var unitCostFen: Int64

        public init(sku: String, quantity: Int, unitCostFen: Int64) {
            self.sku = sku
            self.quantity = quantity
            self.unitCostFen = unitCostFen
        }
    }

    public var poNumber: String
    public var supplierCode: String
    public var supplierName: String
    /// Where the purchase order is sent (the supplier's order desk; a business address, not a customer's).
    public var supplierEmail: String
    public var warehouseId: String
    public var expectedAt: Date
    public var lines: [Line]
    public var totalFen: Int64
    public var approvedBy: String
    public var approvedAt: Date

    public init(poNumber: String, supplierCode: String, supplierName: String, supplierEmail: String, warehouseId: String, expectedAt: Date, lines: [Line],
                approvedBy: String, approvedAt: Date) {
        self.poNumber = poNumber
        self.supplierCode = supplierCode
        self.supplierName = supplierName
        self.supplierEmail = supplierEmail
        self.warehouseId = warehouseId
        self.expectedAt = expectedAt
        self.lines = lines
        self.totalFen = lines.reduce(0) { $0 + Int64($1.quantity) * $1.unitCostFen }
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
    }

    /// The Kafka key of a purchase order's events.
    public static func key(po: String) -> String { "po:\(po)" }
}
