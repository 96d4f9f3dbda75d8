import Foundation

/// One parcel of a marketplace order as the platform is told of it (发货回传): which platform
/// order, which tracking number from which carrier, and whether it ships part of the order.
/// Invariant: one per shipment id, however often its `shipment.dispatched` is delivered; a parcel
/// replacing a lost one is a `resend` (the platform's tracking number is changed), any other a `ship`.
struct ShipBack: Codable, Sendable, Equatable {
    enum Operation: String, Codable, Sendable {
        /// The platform's "offline ship" (taobao.logistics.offline.send, jingdong.pop.order.shipment).
        case ship
        /// The platform's "change the tracking number" (taobao.logistics.consign.resend).
        case resend
    }

    var shipmentId: String
    var orderId: String
    /// `tmall`, `taobao` or `jd`, from the marketplace order.
    var platform: String
    /// The platform's order id (Taobao `tid`, JD `order_id`).
    var platformOrderId: String
    var operation: Operation
    /// The carrier company as the OMS names it (`SF`, `JD`, `YTO` …).
    var carrier: String
    var trackingNumber: String
    /// The sub-orders (`oid`) this parcel ships, when it ships part of a split order.
    var subOrderIds: [String]
    var isSplit: Bool
}

/// How a parcel is reported, decided from the order's lines and the parcels reported before it.
/// Pure: no I/O. Invariant: a parcel that ships the whole order is a plain ship; a partial parcel
/// names its sub-orders when every line of it has one; a later partial parcel whose lines have no
/// sub-order ids cannot be named to the platform and is skipped (the first parcel's tracking number
/// already marked the whole order shipped).
enum ShipBackPlan {
    struct OrderLine: Codable, Sendable, Equatable {
        var sku: String
        var quantity: Int
        var subOrderId: String?
    }

    struct ParcelLine: Codable, Sendable, Equatable {
        var sku: String
        var quantity: Int
    }

    enum Decision: Sendable, Equatable {
        case send(operation: ShipBack.Operation, subOrderIds: [String], isSplit: Bool)
        case skip(reason: String)
    }

    /// - Parameters:
    ///   - earlierParcels: parcels of the order already recorded for ship-back (not replacements).
    ///   - replacement: the parcel replaces a lost one.
    ///   - splitSupported: the platform takes a partial parcel (Taobao/Tmall do, with `sub_tid`).
    ///   - resendSupported: the platform takes a replacement parcel's new tracking number.
    static func decide(order: [OrderLine], parcel: [ParcelLine], earlierParcels: Int, replacement: Bool, splitSupported: Bool, resendSupported: Bool) -> Decision {
        var ordered: [String: Int] = [:]
        for line in order { ordered[line.sku, default: 0] += line.quantity }
        var shipped: [String: Int] = [:]
        for line in parcel { shipped[line.sku, default: 0] += line.quantity }
        let whole = earlierParcels == 0 && ordered.allSatisfy { shipped[$0.key, default: 0] >= $0.value }
        let ids = Set(order.filter { shipped[$0.sku] != nil }.compactMap(\.subOrderId)).sorted()
        let named = !shipped.isEmpty && shipped.keys.allSatisfy { sku in order.contains { $0.sku == sku && $0.subOrderId != nil } }
        if replacement {
            guard resendSupported else { return .skip(reason: "platform_takes_one_tracking_number: the replacement's number cannot be reported") }
            return .send(operation: .resend, subOrderIds: whole || !named ? [] : ids, isSplit: !whole && named)
        }
        if whole { return .send(operation: .ship, subOrderIds: [], isSplit: false) }
        if splitSupported && named { return .send(operation: .ship, subOrderIds: ids, isSplit: true) }
        if earlierParcels == 0 { return .send(operation: .ship, subOrderIds: [], isSplit: false) }
        return .skip(reason: splitSupported ? "no_sub_order_ids: the parcel's lines carry no platform sub-order id" : "platform_takes_one_tracking_number: the first parcel's number was reported")
    }
}
