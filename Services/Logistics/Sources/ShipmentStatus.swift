/// Where a shipment is. Invariant: `rank` only increases (`canAdvance`): a late or repeated carrier
/// scan never moves a shipment back; delivered and lost are final.
public enum ShipmentStatus: String, Codable, Sendable, CaseIterable {
    case dispatched, pickedUp, inTransit, outForDelivery, delivered, lost

    public var rank: Int {
        switch self {
        case .dispatched: 0
        case .pickedUp: 1
        case .inTransit: 2
        case .outForDelivery: 3
        case .delivered, .lost: 4
        }
    }

    public var isFinal: Bool { self == .delivered || self == .lost }

    public func canAdvance(to next: ShipmentStatus) -> Bool { !isFinal && next.rank > rank }
}
