import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Packs picked fulfillment orders: applies `PackingPlanner` to the picked units with the
/// warehouse's cartons, stores the parcels and emits `fulfillment.packed`, for any number of
/// fulfillment orders in a constant number of statements. An order with a SKU missing from the item
/// master is not guessed at: it is marked blocked (`item_data_missing`, announced once as
/// `fulfillment.packing-blocked`) and retried once the item exists.
/// Invariant: only `picked` orders are packed, each exactly once.
struct ParcelPacking {
    let configuration: FulfillmentConfiguration
    let planner = PackingPlanner()

    enum Outcome: Sendable {
        case packed([PackedParcel])
        case blocked(missingItems: [String])
        case notPicked(status: String)
        /// The stored order body does not decode or open (a key gone from the ring, tampering):
        /// this order is blocked with that reason; the others of the job still pack.
        case unreadable
        /// Merged for shipping with these fulfillment orders, not yet picked: packed with them.
        case mergeWaiting([String])
    }

    /// `settings`: the warehouses' settings when the caller has already read them (the handler has).
    func pack(_ ids: [String], packedBy: String, now: Date, settings known: [String: WarehouseSettings]? = nil, context: TransactionContext) async throws -> [String: Outcome] {
        guard !ids.isEmpty else { return [:] }
        let connection = context.connection, logger = context.logger
        let rows = try await connection.query("""
            SELECT id, order_id, warehouse_code, status, order_body::text, blocked_reason, merge_group FROM fulfillment_orders WHERE id = ANY(\(ids)::text[]) ORDER BY id FOR UPDATE
            """, logger: logger)
        var orders: [(id: String, orderID: String, warehouse: String, order: Order)] = []
        var outcomes: [String: Outcome] = [:]
        var unreadable: [String] = []
        var blockedBefore: [String: String] = [:]
        var groupOf: [String: String] = [:]
        func take(_ id: String, _ orderID: String, _ warehouse: String, _ body: String) {
            do {
                orders.append((id, orderID, warehouse, try context.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))))
            } catch {
                outcomes[id] = .unreadable
                unreadable.append(id)
            }
        }
        for try await (id, orderID, warehouse, status, body, reason, group) in rows.decode((String, String, String, String, String, String?, String?).self) {
            blockedBefore[id] = reason
            guard status == "picked" else { outcomes[id] = .notPicked(status: status); continue }
            if let group { groupOf[id] = group }
            take(id, orderID, warehouse, body)
        }
        // Orders merged for shipping (合单) are packed together once every member still going is
        // picked; until then none of them is (the packer is told which to wait for).
        let groups = Array(Set(groupOf.values)).sorted()
        if !groups.isEmpty {
            let others = try await connection.query("""
                SELECT id, order_id, warehouse_code, status, order_body::text, blocked_reason, merge_group FROM fulfillment_orders
                WHERE merge_group = ANY(\(groups)::text[]) AND id <> ALL(\(ids)::text[]) ORDER BY id FOR UPDATE
                """, logger: logger)
            var waiting: [String: [String]] = [:]
            for try await (id, orderID, warehouse, status, body, reason, group) in others.decode((String, String, String, String, String, String?, String).self) {
                switch status {
                case "open", "picking", "awaiting_payment": waiting[group, default: []].append(id)
                case "picked":
                    blockedBefore[id] = reason
                    groupOf[id] = group
                    take(id, orderID, warehouse, body)
                default: continue
                }
            }
            for (group, pending) in waiting {
                let members = Set(groupOf.filter { $0.value == group }.map(\.key))
                orders.removeAll { members.contains($0.id) }
                for id in members where outcomes[id] == nil { outcomes[id] = .mergeWaiting(pending.sorted()) }
            }
        }
        if !unreadable.isEmpty {
            try await connection.query("UPDATE fulfillment_orders SET blocked_reason = 'order_body_unreadable' WHERE id = ANY(\(unreadable)::text[])", logger: logger)
            logger.error("packing skipped orders whose stored body cannot be opened", metadata: ["fulfillmentOrders": "\(unreadable.prefix(10))"])
        }
        guard !orders.isEmpty else { return outcomes }
        let lineRows = try await connection.query("""
            SELECT fulfillment_order_id, line_number, sku, picked, unit_price_fen FROM fulfillment_lines
            WHERE fulfillment_order_id = ANY(\(orders.map(\.id))::text[]) AND picked > 0 ORDER BY fulfillment_order_id, line_number
            """, logger: logger)
        var lines: [String: [(line: Int, sku: String, picked: Int, price: Int64)]] = [:]
        for try await (id, line, sku, picked, price) in lineRows.decode((String, Int, String, Int, Int64).self) {
            lines[id, default: []].append((line, sku, picked, price))
        }
        let items = try await ItemRecord.load(Set(lines.values.flatMap { $0.map(\.sku) }), connection: connection, logger: logger)
        var settings = known ?? [:]
        if known == nil { settings = try await WarehouseSettings.load(orders.map(\.warehouse), defaults: configuration, connection: connection, logger: logger) }

        var parcelRows = (ids: [String](), orders: [String](), fos: [String](), warehouses: [String](), cartons: [String](), lengths: [Int32](), widths: [Int32](),
                          heights: [Int32](), weights: [Int32](), insured: [Bool](), declared: [Int64](), bodies: [String]())
        var packed: [String] = [], blocked: [String] = [], blockedReasons: [String] = []
        func record(_ fo: (id: String, orderID: String, warehouse: String, order: Order), _ parcels: [PackedParcel]) throws {
            for parcel in parcels {
                parcelRows.ids.append(parcel.parcelId); parcelRows.orders.append(fo.orderID); parcelRows.fos.append(fo.id)
                parcelRows.warehouses.append(fo.warehouse); parcelRows.cartons.append(parcel.cartonCode)
                parcelRows.lengths.append(Int32(parcel.lengthMm)); parcelRows.widths.append(Int32(parcel.widthMm)); parcelRows.heights.append(Int32(parcel.heightMm))
                parcelRows.weights.append(Int32(parcel.weightGrams)); parcelRows.insured.append(parcel.insured)
                parcelRows.declared.append(parcel.declaredValue.minorUnits)
                parcelRows.bodies.append(String(decoding: try EventCoding.encode(parcel), as: UTF8.self))
            }
            outcomes[fo.id] = .packed(parcels)
            packed.append(fo.id)
            try context.emit(FulfillmentPacked(fulfillmentOrderId: fo.id, orderID: fo.orderID, warehouseId: fo.warehouse, parcels: parcels,
                                               packedBy: packedBy, packedAt: now, order: fo.order),
                             orderID: fo.orderID, topic: TopicCatalogue.fulfillmentEvents)
        }
        func missingItems(_ fo: (id: String, orderID: String, warehouse: String, order: Order)) throws -> Bool {
            let missing = Set((lines[fo.id] ?? []).map(\.sku)).subtracting(items.keys).sorted()
            guard !missing.isEmpty else { return false }
            outcomes[fo.id] = .blocked(missingItems: missing)
            blocked.append(fo.id)
            let reason = "item_data_missing: " + missing.prefix(5).joined(separator: ",")
            blockedReasons.append(reason)
            // Said once (on the order's timeline, to whoever reads fulfillment events), not on every retry.
            if blockedBefore[fo.id] != reason {
                try context.emit(FulfillmentPackingBlocked(fulfillmentOrderId: fo.id, orderID: fo.orderID, warehouseId: fo.warehouse, reasonCode: "item_data_missing",
                                                           missingSkus: missing, blockedAt: now),
                                 orderID: fo.orderID, topic: TopicCatalogue.fulfillmentEvents)
            }
            return true
        }
        func units(_ fo: (id: String, orderID: String, warehouse: String, order: Order), member: Int?) -> [PackingPlanner.Unit] {
            (lines[fo.id] ?? []).flatMap { line -> [PackingPlanner.Unit] in
                let item = items[line.sku]!
                let unit = PackingPlanner.Unit(lineNumber: member.map { ShipmentMerge.groupLine(member: $0, line: line.line) } ?? line.line, sku: line.sku,
                                               weightGrams: item.weightGrams, volumeCubicCentimetres: item.volumeCm3, handling: item.handling, unitPrice: .fen(line.price))
                return Array(repeating: unit, count: line.picked)
            }
        }
        func parcel(_ id: String, _ plan: PackingPlanner.PlannedParcel, lines: [ParcelLine], declared: Money, consolidation: ParcelConsolidation?) -> PackedParcel {
            PackedParcel(parcelId: id, cartonCode: plan.carton.code, lengthMm: plan.carton.lengthMm, widthMm: plan.carton.widthMm,
                         heightMm: plan.carton.heightMm, weightGrams: plan.weightGrams, lines: lines, fragile: plan.handling.fragile,
                         liquid: plan.handling.liquid, perishable: plan.handling.perishable, valuable: plan.handling.valuable,
                         insured: plan.insured, declaredValue: declared, packaging: plan.packaging, inserts: plan.inserts, consolidation: consolidation)
        }

        var merged: [String: [(id: String, orderID: String, warehouse: String, order: Order)]] = [:]
        for fo in orders {
            if let group = groupOf[fo.id] { merged[group, default: []].append(fo); continue }
            guard try !missingItems(fo) else { continue }
            let warehouse = settings[fo.warehouse] ?? .defaults(fo.warehouse, configuration)
            let planned = planner.plan(units(fo, member: nil), cartons: warehouse.cartons, inserts: Self.inserts(for: fo.order, warehouse: warehouse))
            try record(fo, planned.enumerated().map { index, plan in parcel("\(fo.id)-P\(index + 1)", plan, lines: plan.lines, declared: plan.declaredValue, consolidation: nil) })
        }
        // Each merge group: its members' units planned as one set of boxes; every member keeps its
        // own parcels (its lines, its declared value) and names the box it travels in.
        for (_, members) in merged.sorted(by: { $0.key < $1.key }) {
            var blockedGroup = false
            for fo in members where try missingItems(fo) { blockedGroup = true }
            if blockedGroup {
                for fo in members where outcomes[fo.id] == nil { outcomes[fo.id] = .mergeWaiting(members.filter { blocked.contains($0.id) }.map(\.id)) }
                continue
            }
            let lead = members[0]
            let warehouse = settings[lead.warehouse] ?? .defaults(lead.warehouse, configuration)
            var inserts: [String] = []
            for fo in members { for insert in Self.inserts(for: fo.order, warehouse: warehouse) where !inserts.contains(insert) { inserts.append(insert) } }
            let planned = planner.plan(members.enumerated().flatMap { units($0.element, member: $0.offset) }, cartons: warehouse.cartons, inserts: inserts)
            var parcels: [[PackedParcel]] = Array(repeating: [], count: members.count)
            for (index, plan) in planned.enumerated() {
                let owners = Set(plan.lines.map { ShipmentMerge.memberLine($0.lineNumber).member }).sorted()
                let consolidation = owners.count > 1
                    ? ParcelConsolidation(consolidationId: "\(lead.id)-M\(index + 1)", orderIDs: owners.map { members[$0].orderID }.sorted()) : nil
                for member in owners {
                    let own = plan.lines.filter { ShipmentMerge.memberLine($0.lineNumber).member == member }
                        .map { ParcelLine(lineNumber: ShipmentMerge.memberLine($0.lineNumber).line, sku: $0.sku, quantity: $0.quantity) }
                    let prices = Dictionary((lines[members[member].id] ?? []).map { ($0.line, $0.price) }, uniquingKeysWith: { first, _ in first })
                    let declared = own.reduce(Int64(0)) { $0 + (prices[$1.lineNumber] ?? 0) * Int64($1.quantity) }
                    parcels[member].append(parcel("\(members[member].id)-P\(parcels[member].count + 1)", plan, lines: own, declared: .fen(declared), consolidation: consolidation))
                }
            }
            for (member, fo) in members.enumerated() { try record(fo, parcels[member]) }
        }
        if !parcelRows.ids.isEmpty {
            try await connection.query("""
                INSERT INTO parcels (id, order_id, fulfillment_order_id, warehouse_code, carton_code, length_mm, width_mm, height_mm, weight_grams, insured, declared_value_fen, body, packed_at)
                SELECT i, o, f, w, c, l, wd, h, g, ins, d, b::jsonb, \(now)
                FROM unnest(\(parcelRows.ids)::text[], \(parcelRows.orders)::text[], \(parcelRows.fos)::text[], \(parcelRows.warehouses)::text[], \(parcelRows.cartons)::text[],
                            \(parcelRows.lengths)::int4[], \(parcelRows.widths)::int4[], \(parcelRows.heights)::int4[], \(parcelRows.weights)::int4[],
                            \(parcelRows.insured)::bool[], \(parcelRows.declared)::int8[], \(parcelRows.bodies)::text[]) AS u(i, o, f, w, c, l, wd, h, g, ins, d, b)
                """, logger: logger)
            try await connection.query("""
                UPDATE fulfillment_orders SET status = 'packed', packed_at = \(now), packed_by = \(packedBy), blocked_reason = NULL WHERE id = ANY(\(packed)::text[])
                """, logger: logger)
        }
        if !blocked.isEmpty {
            try await connection.query("""
                UPDATE fulfillment_orders SET blocked_reason = u.r FROM unnest(\(blocked)::text[], \(blockedReasons)::text[]) AS u(i, r)
                WHERE fulfillment_orders.id = u.i
                """, logger: logger)
            logger.warning("packing blocked: items missing from the item master", metadata: ["fulfillmentOrders": "\(blocked.prefix(10))"])
        }
        return outcomes
    }

    /// Invoice always; a return slip unless the customer bought at the till; a promotion card for
    /// orders at or above the warehouse's minimum.
    static func inserts(for order: Order, warehouse: WarehouseSettings) -> [String] {
        var inserts = ["invoice"]
        if order.channel != .pos { inserts.append("return_slip") }
        if let minimum = warehouse.promotionCardMinimumFen, minimum > 0, order.goodsTotal.minorUnits >= minimum { inserts.append("promotion_card") }
        return inserts
    }
}
