import Foundation
import OMSDomain
import OMSPlatform

/// One supplier of the master: who they are, where they deliver, how long they take and what they
/// sell at what cost. Invariant: a supplier lists each SKU once; costs are positive fen; the
/// minimum order is a value in fen a purchase order must reach to be approved (0: none).
public struct Supplier: Codable, Sendable, Equatable {
    /// One SKU the supplier sells: its cost and the smallest quantity it accepts on an order.
    public struct Item: Codable, Sendable, Equatable {
        public var sku: String
        public var unitCostFen: Int64
        public var minimumOrderQuantity: Int

        public init(sku: String, unitCostFen: Int64, minimumOrderQuantity: Int = 1) {
            self.sku = sku
            self.unitCostFen = unitCostFen
            self.minimumOrderQuantity = minimumOrderQuantity
        }

        enum CodingKeys: String, CodingKey { case sku, unitCostFen, minimumOrderQuantity }

        /// `minimumOrderQuantity` may be left out (1).
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sku = try container.decode(String.self, forKey: .sku)
            unitCostFen = try container.decode(Int64.self, forKey: .unitCostFen)
            minimumOrderQuantity = try container.decodeIfPresent(Int.self, forKey: .minimumOrderQuantity) ?? 1
        }

        /// What is ordered for `requested` units: never below the supplier's minimum quantity.
        public func orderQuantity(for requested: Int) -> Int { max(requested, minimumOrderQuantity, 1) }
    }

    public var code: String
    public var name: String
    public var email: String
    public var phone: String?
    public var leadTimeDays: Int
    public var minimumOrderFen: Int64
    /// The warehouse the supplier delivers to when the request names none (a backorder's).
    public var shipsToWarehouseId: String
    public var items: [Item]

    public init(code: String, name: String, email: String, phone: String? = nil, leadTimeDays: Int, minimumOrderFen: Int64 = 0, shipsToWarehouseId: String, items: [Item]) {
        self.code = code
        self.name = name
        self.email = email
        self.phone = phone
        self.leadTimeDays = leadTimeDays
        self.minimumOrderFen = minimumOrderFen
        self.shipsToWarehouseId = shipsToWarehouseId
        self.items = items
    }

    /// A SKU's supplier when several sell it: the lowest unit cost, then the shortest lead time,
    /// then the code (so the choice never depends on the order rows come back in).
    public struct Offer: Sendable, Equatable {
        public var supplierCode: String
        public var leadTimeDays: Int
        public var item: Item

        public init(supplierCode: String, leadTimeDays: Int, item: Item) {
            self.supplierCode = supplierCode
            self.leadTimeDays = leadTimeDays
            self.item = item
        }
    }

    public static func preferred(_ offers: [Offer]) -> Offer? {
        offers.min { ($0.item.unitCostFen, $0.leadTimeDays, $0.supplierCode) < ($1.item.unitCostFen, $1.leadTimeDays, $1.supplierCode) }
    }

    /// The field errors of a supplier as sent (the code comes from the path).
    func problems() -> [APIError.FieldError] {
        var check = RequestCheck()
        check.text(name, "name")
        if !EmailAddress.isDeliverable(email) { check.fail("email", "a deliverable e-mail address (name@domain.tld)") }
        if let phone, phone.isEmpty || phone.count > 32 || !phone.allSatisfy({ $0.isASCII && ($0.isNumber || "+- ".contains($0)) }) { check.fail("phone", "digits, '+', '-' or spaces, at most 32") }
        if !(0...365).contains(leadTimeDays) { check.fail("leadTimeDays", "0-365") }
        if minimumOrderFen < 0 || minimumOrderFen > 100_000_000_00 { check.fail("minimumOrderFen", "0-10000000000 fen") }
        check.code(shipsToWarehouseId, "shipsToWarehouseId")
        if items.isEmpty || items.count > 1_000 { check.fail("items", "1-1000 items") }
        for (index, item) in items.enumerated() {
            check.sku(item.sku, "items[\(index)].sku")
            if item.unitCostFen <= 0 || item.unitCostFen > 100_000_000_00 { check.fail("items[\(index)].unitCostFen", "1-10000000000 fen") }
            check.units(item.minimumOrderQuantity, "items[\(index)].minimumOrderQuantity")
        }
        if Set(items.map(\.sku)).count != items.count { check.fail("items", "one item per SKU") }
        return check.problems
    }
}
