import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps each order's customer-facing status and timeline from the downstream services' events
/// (risk, inventory, fulfillment, logistics, after-sales). Every event is added to the timeline;
/// the status moves only forward (`OrderStatus.canAdvance`), so late, reordered or replayed events
/// never move an order backwards and terminal states are never left, except that a cancellation a
/// warehouse refused (already packed) puts the order back to `packed`. An order awaiting payment
/// keeps that status (the timeline still records each event) until paid, rejected or cancelled.
public struct OrderStatusProjection: EventHandler {
    /// The status each event moves an order to; events mapped to nil only add a timeline entry.
    /// Every order-keyed event type on the topics the status group reads is listed here
    /// (`OrderStatusProjectionTests` fails on a new one until its effect is decided).
    public static let statusByEvent: [(event: any DomainEvent.Type, status: OrderStatus?)] = [
        (OrderVerified.self, .verified), (OrderHeld.self, .held), (OrderRejected.self, .rejected), (OrderAmended.self, nil),
        (InventoryReserved.self, .allocated), (InventoryBackordered.self, .backordered), (InventoryReleased.self, nil), (InventoryLinesCancelled.self, nil), (InventoryLineSubstituted.self, nil),
        (FulfillmentPacked.self, .packed), (FulfillmentShortPicked.self, nil), (FulfillmentCancelled.self, nil), (FulfillmentCancelRefused.self, .packed),
        (FulfillmentPackingBlocked.self, nil), (FulfillmentLineCancelRefused.self, nil),
        (ShipmentDispatched.self, .shipped), (ShipmentInTransit.self, .inTransit), (ShipmentDelayed.self, .delayed),
        (ShipmentDelivered.self, .delivered), (ShipmentLost.self, nil), (ShipmentException.self, nil), (ShipmentAmendmentRefused.self, nil),
        (ShipmentPickupExpired.self, nil),
        (ReturnRequested.self, .returnRequested), (RefundIssued.self, .refunded), // or partiallyRefunded: `refundStatus`
        (RefundSettled.self, nil),
        (ReturnDecided.self, nil), (ReturnReceived.self, nil), (ExchangeRequested.self, nil), (ExchangeUnavailable.self, nil),
        (ComplaintRecorded.self, nil), (ComplaintEscalated.self, nil), (ComplaintResolved.self, nil), (FeedbackRecorded.self, nil), (InvoiceIssued.self, nil),
    ]

    /// `statusByEvent` by type name, as the envelopes carry it.
    public static let statusByEventType: [String: OrderStatus?] = Dictionary(uniqueKeysWithValues: statusByEvent.map { ($0.event.eventType, $0.status) })

    /// Payload fields copied into the timeline and the order's details (never personal data).
    static let detailKeys: Set<String> = [
        "warehouseId", "warehouseID", "carrier", "carrierCode", "trackingNumber", "eta", "estimatedDelivery", "location",
        "reasonCode", "refundOutcome", "refundId", "refundID", "returnId", "returnID", "parcelCount", "signedBy", "missingSkus", "cancellationId", "substitutionId",
        // A pickup order's code and deadline: how the channel tells its customer.
        "pickupCode", "pickupExpiresAt",
    ]

    public let eventTypes = Set(statusByEventType.keys)
    let hasher: PIIHasher

    public init(hasher: PIIHasher) {
        self.hasher = hasher
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        // Only the type drives the status, but a payload its type cannot decode (or a schema version
        // from the future) must not move an order: it is refused to the dead letters instead.
        for event in events {
            do { try DomainEventCatalogue.validate(event) } catch { throw HandlerRejection("\(event.type): \(error)") }
        }
        let connection = context.connection, logger = context.logger
        let orderIDs = Array(Set(events.map(\.orderID)))
        let rows = try await connection.query("""
            SELECT order_id, status, total_fen, refunded_fen, details->>'missingSkus' FROM orders WHERE order_id = ANY(\(orderIDs)::text[]) ORDER BY order_id FOR UPDATE
            """, logger: logger)
        var current: [String: OrderStatus] = [:]
        var totals: [String: Int64?] = [:], refunded: [String: Int64] = [:]
        // SKUs packing waits for, per order: added by fulfillment.packing-blocked, taken away by the
        // fulfillment.packed that packs them (a split order's other warehouse may still wait).
        var missing: [String: Set<String>] = [:]
        for try await (order, status, total, refundedFen, missingSkus) in rows.decode((String, String, Int64?, Int64, String?).self) {
            current[order] = OrderStatus(rawValue: status)
            totals[order] = total
            refunded[order] = refundedFen
            if let missingSkus { missing[order] = Set(missingSkus.split(separator: ",").map(String.init)) }
        }

        var timeline = (orders: [String](), eventIDs: [UUID](), types: [String](), statuses: [String](), changed: [Bool](), at: [Date](), details: [String]())
        var details: [String: [String: String]] = [:]
        var touched = Set<String>()
        var uncancelled: [String] = [], rejected: [String] = []
        var unblocked = Set<String>(), missingChanged = Set<String>()
        for event in events {
            var target = Self.statusByEventType[event.type] ?? nil
            if event.type == RefundIssued.eventType, current[event.orderID] != nil {
                guard let refund = try? event.decode(RefundIssued.self) else { throw HandlerRejection("undecodable \(event.type)") }
                let sum = (refunded[event.orderID] ?? 0) + refund.amount.minorUnits
                refunded[event.orderID] = sum
                // A line cancellation's refund leaves the rest of the order on its way: no status change.
                target = !(refund.cause ?? .return).refundsTheOrder ? nil : Self.refundStatus(refundedFen: sum, totalFen: totals[event.orderID] ?? nil)
                touched.insert(event.orderID)
            }
            let extracted = Self.details(of: event.payload)
            // A pickup order's parcel is not shipped: it waits in its store for the customer.
            if event.type == ShipmentDispatched.eventType, extracted["pickupCode"] != nil { target = .readyForPickup }
            var changed = false
            // An order awaiting payment shows that until paid (verification and allocation go on
            // underneath; the timeline keeps them and the payment restores the furthest).
            let recorded = target
            if let held = target, current[event.orderID] == .awaitingPayment, !held.isTerminal { target = nil }
            if let target, let status = current[event.orderID], status.canAdvance(to: target) || Self.undoesCancellation(event.type, status) {
                if Self.undoesCancellation(event.type, status) { uncancelled.append(event.orderID) }
                if target == .rejected { rejected.append(event.orderID) }
                current[event.orderID] = target
                touched.insert(event.orderID)
                changed = true
            }
            if !extracted.isEmpty, current[event.orderID] != nil {
                details[event.orderID, default: [:]].merge(extracted) { _, new in new }
                touched.insert(event.orderID)
            }
            if current[event.orderID] != nil, event.type == FulfillmentPackingBlocked.eventType {
                guard let blocked = try? event.decode(FulfillmentPackingBlocked.self) else { throw HandlerRejection("undecodable \(event.type)") }
                missing[event.orderID, default: []].formUnion(blocked.missingSkus)
                missingChanged.insert(event.orderID)
                touched.insert(event.orderID)
            } else if current[event.orderID] != nil, event.type == FulfillmentPacked.eventType, !(missing[event.orderID]?.isEmpty ?? true) {
                // (Decoded only for an order that waited: the common packing costs nothing more.)
                guard let packed = try? event.decode(FulfillmentPacked.self) else { throw HandlerRejection("undecodable \(event.type)") }
                missing[event.orderID]?.subtract(packed.parcels.flatMap { $0.lines.map(\.sku) })
                missingChanged.insert(event.orderID)
                touched.insert(event.orderID)
            }
            timeline.orders.append(event.orderID)
            timeline.eventIDs.append(event.eventID)
            timeline.types.append(event.type)
            timeline.statuses.append(recorded?.rawValue ?? "")
            timeline.changed.append(changed)
            timeline.at.append(event.occurredAt)
            timeline.details.append(String(decoding: (try? EventCoding.encode(extracted)) ?? Array("{}".utf8), as: UTF8.self))
        }
        try await connection.query("""
            INSERT INTO order_timeline (order_id, event_id, event_type, status, status_changed, occurred_at, detail)
            SELECT o, e, t, NULLIF(s, ''), c, at, d::jsonb
            FROM unnest(\(timeline.orders)::text[], \(timeline.eventIDs)::uuid[], \(timeline.types)::text[], \(timeline.statuses)::text[],
                        \(timeline.changed)::bool[], \(timeline.at)::timestamptz[], \(timeline.details)::text[]) AS u(o, e, t, s, c, at, d)
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
        // An order that ships after all takes back the coupon its cancellation gave back.
        for (order, code) in try await CatalogStore.restoreCoupons(of: uncancelled, on: connection, logger: logger) {
            logger.warning("coupon used twice: a refused cancellation could not take back its coupon", metadata: ["orderId": "\(order)", "coupon": "\(code)"])
            details[order, default: [:]]["couponUsedTwice"] = code
            touched.insert(order)
        }
        // A rejected order gives its coupon back, as a cancelled one does (its refund is after-sales').
        for order in rejected {
            try await CatalogStore.releaseCoupons(of: order, on: connection, logger: logger)
        }
        for event in events where event.type == FulfillmentLineCancelRefused.eventType {
            guard let refused = try? event.decode(FulfillmentLineCancelRefused.self) else { throw HandlerRejection("undecodable \(event.type)") }
            try await OrderStore.applyLineCancelRefusal(refused, connection: connection, logger: logger)
        }
        for event in events where event.type == InventoryLineSubstituted.eventType {
            guard let answer = try? event.decode(InventoryLineSubstituted.self) else { throw HandlerRejection("undecodable \(event.type)") }
            try await OrderStore.applySubstitutionAnswer(answer, connection: connection, logger: logger)
        }
        for event in events where event.type == OrderAmended.eventType {
            guard let amended = try? event.decode(OrderAmended.self) else { throw HandlerRejection("undecodable order.amended") }
            try await OrderStore.applyAmendment(amended, hasher: hasher, vault: context.vault, connection: connection, logger: logger)
        }
        for order in missingChanged {
            if let skus = missing[order], !skus.isEmpty { details[order, default: [:]]["missingSkus"] = skus.sorted().joined(separator: ",") } else {
                details[order]?["missingSkus"] = nil
                unblocked.insert(order)
            }
        }
        let updated = touched.sorted()
        guard !updated.isEmpty else { return }
        let statuses = updated.map { current[$0]!.rawValue }
        let ranks = updated.map { Int32(current[$0]!.rank) }
        let merged = updated.map { String(decoding: (try? EventCoding.encode(details[$0] ?? [:])) ?? Array("{}".utf8), as: UTF8.self) }
        let refundedFen = updated.map { refunded[$0] ?? 0 }
        try await connection.query("""
            UPDATE orders SET status = u.s, status_rank = u.r, details = (CASE WHEN u.p THEN orders.details - 'missingSkus' ELSE orders.details END) || u.d::jsonb,
                   refunded_fen = u.f, updated_at = now()
            FROM unnest(\(updated)::text[], \(statuses)::text[], \(ranks)::int4[], \(merged)::text[], \(refundedFen)::int8[], \(updated.map(unblocked.contains))::bool[])
                 AS u(o, s, r, d, f, p)
            WHERE orders.order_id = u.o
            """, logger: logger)
    }

    /// After a refund: `refunded` once everything the order cost has gone back (or when its total
    /// is unknown), `partiallyRefunded` while some of it stands (other lines, other parcels).
    static func refundStatus(refundedFen: Int64, totalFen: Int64?) -> OrderStatus {
        guard let totalFen, refundedFen < totalFen else { return .refunded }
        return .partiallyRefunded
    }

    /// The one way out of `cancelled`: the cancellation reached a warehouse that had already packed
    /// the parcel, so it ships (and the customer needs a return instead).
    static func undoesCancellation(_ type: String, _ status: OrderStatus) -> Bool {
        type == FulfillmentCancelRefused.eventType && status == .cancelled
    }

    /// Customer service corrected the recipient or address during review: the order record shows it.
    /// Scalar values of the whitelisted keys anywhere in the payload; several values of one key
    /// (e.g. the warehouses of a split allocation) are joined with commas.
    static func details(of payload: [UInt8]) -> [String: String] {
        guard let root = try? JSONSerialization.jsonObject(with: Data(payload)) else { return [:] }
        var found: [String: [String]] = [:]
        func walk(_ value: Any, depth: Int) {
            guard depth < 6 else { return }
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    if detailKeys.contains(key), let scalar = scalarText(child) {
                        if !(found[key]?.contains(scalar) ?? false) { found[key, default: []].append(scalar) }
                    } else if detailKeys.contains(key), let list = child as? [Any], case let scalars = list.compactMap(scalarText), !scalars.isEmpty {
                        for scalar in scalars where !(found[key]?.contains(scalar) ?? false) { found[key, default: []].append(scalar) }
                    } else {
                        walk(child, depth: depth + 1)
                    }
                }
            } else if let array = value as? [Any] {
                for child in array { walk(child, depth: depth + 1) }
            }
        }
        walk(root, depth: 0)
        return found.mapValues { $0.joined(separator: ",") }
    }

    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let text as String: String(text.prefix(100))
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}
