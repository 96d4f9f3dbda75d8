import Foundation
import OMSDomain

/// Routes a complaint to the team that can fix its cause and sets its SLA. Pure. Rules:
/// - delivery delay -> logistics, attributed to the carrier of the late (or last) parcel;
/// - damaged goods -> logistics when the carrier reported an exception on the parcel, otherwise
///   the warehouse that packed it;
/// - wrong item -> the warehouse that shipped the SKU;
/// - quality -> quality (the SKU's supplier follow-up); service -> customer service;
/// - critical complaints start one level up (team lead). Each level has the severity's SLA.
/// Invariant: every complaint gets exactly one team and a due time.
struct ComplaintRouter: Sendable {
    /// What after-sales knows about one parcel of the order.
    struct Parcel: Sendable {
        var warehouseId: String
        var carrier: String
        var skus: [String]
        var delayed: Bool
        var exception: Bool
    }

    struct Routing: Equatable, Sendable {
        var team: Complaint.Team
        var escalationLevel: Int
        var carrier: String?
        var warehouseId: String?
        var rule: String
    }

    /// Who holds a complaint at each escalation level.
    static let levels = ["team", "team lead", "service manager", "head of operations"]

    var slaSeconds: [Complaint.Severity: Int]

    func route(category: Complaint.Category, severity: Complaint.Severity, sku: String?, parcels: [Parcel]) -> Routing {
        let concerned = sku.flatMap { sku in parcels.last { $0.skus.contains(sku) } } ?? parcels.last
        let level = severity == .critical ? 1 : 0
        switch category {
        case .deliveryDelay:
            let late = parcels.last { $0.delayed } ?? concerned
            return Routing(team: .logistics, escalationLevel: level, carrier: late?.carrier, warehouseId: late?.warehouseId, rule: "delivery delay goes to logistics")
        case .damagedGoods:
            if let parcel = concerned, parcel.exception {
                return Routing(team: .logistics, escalationLevel: level, carrier: parcel.carrier, warehouseId: parcel.warehouseId,
                               rule: "damage after a carrier exception goes to logistics")
            }
            return Routing(team: .warehouse, escalationLevel: level, carrier: concerned?.carrier, warehouseId: concerned?.warehouseId,
                           rule: "damage without a carrier exception goes to the packing warehouse")
        case .wrongItem:
            return Routing(team: .warehouse, escalationLevel: level, carrier: concerned?.carrier, warehouseId: concerned?.warehouseId,
                           rule: "a wrong item goes to the warehouse that shipped it")
        case .quality:
            return Routing(team: .quality, escalationLevel: level, carrier: concerned?.carrier, warehouseId: concerned?.warehouseId, rule: "product quality goes to quality")
        case .service:
            return Routing(team: .customerService, escalationLevel: level, carrier: nil, warehouseId: nil, rule: "service goes to customer service")
        }
    }

    /// When a complaint opened (or escalated) at `from` must be resolved.
    func due(_ severity: Complaint.Severity, from: Date) -> Date {
        from.addingTimeInterval(Double(slaSeconds[severity] ?? 86_400))
    }
}
