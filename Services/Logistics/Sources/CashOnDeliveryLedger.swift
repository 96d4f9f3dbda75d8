import OMSDomain

/// What the parcels of one cash-on-delivery order have been asked to collect so far. Each parcel
/// collects its own lines' paid amounts (a line split over parcels pro rata by units, the rounding
/// residue on the parcel that carries the line's last units) and the first parcel dispatched also
/// collects the shipping fee. Invariants: when every unit has shipped the parcels' amounts sum to
/// exactly the order's total; no unit is collected twice (an exchange replacement or a duplicate
/// finds nothing left to collect); a lost parcel's amount is credited back, so its re-shipment
/// collects it again.
public struct CashOnDeliveryLedger: Codable, Sendable, Equatable {
    /// Units and fen assigned to parcels, by line number.
    public var units: [Int: Int] = [:]
    public var fen: [Int: Int64] = [:]
    public var shippingAssigned = false

    public init() {}

    /// One parcel's share: units and fen per line, the shipping fee if it carries it, the total.
    public struct ParcelShare: Codable, Sendable, Equatable {
        public var units: [Int: Int]
        public var fen: [Int: Int64]
        public var shippingFen: Int64
        /// Whether this parcel is the one that carries the shipping fee (even a zero one).
        public var carriesShipping: Bool
        public var totalFen: Int64 { fen.values.reduce(0, +) + shippingFen }
    }

    /// Assigns a parcel of `order` holding `lines` and returns what it collects.
    public mutating func assign(_ lines: [ParcelLine], of order: Order) -> ParcelShare {
        var share = ParcelShare(units: [:], fen: [:], shippingFen: 0, carriesShipping: false)
        for line in lines {
            guard let ordered = order.lines.first(where: { $0.lineNumber == line.lineNumber }) else { continue }
            let remainingUnits = ordered.quantity - units[line.lineNumber, default: 0]
            let remainingFen = ordered.paidAmount.minorUnits - fen[line.lineNumber, default: 0]
            let take = min(line.quantity, remainingUnits)
            guard take > 0 else { continue }
            // Pro rata of what is left, so the line's last units take the rounding residue.
            let amount = take == remainingUnits ? remainingFen : remainingFen * Int64(take) / Int64(remainingUnits)
            units[line.lineNumber, default: 0] += take
            fen[line.lineNumber, default: 0] += amount
            share.units[line.lineNumber, default: 0] += take
            share.fen[line.lineNumber, default: 0] += amount
        }
        if !shippingAssigned {
            shippingAssigned = true
            share.shippingFen = order.shippingFee.minorUnits
            share.carriesShipping = true
        }
        return share
    }

    /// A parcel was lost before it was paid for: what it was to collect is owed again.
    public mutating func creditBack(_ share: ParcelShare) {
        for (line, count) in share.units { units[line, default: 0] -= count }
        for (line, amount) in share.fen { fen[line, default: 0] -= amount }
        if share.carriesShipping { shippingAssigned = false }
    }
}
