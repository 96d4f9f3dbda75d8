import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `fulfillment.packed` → one shipment per parcel: the carrier service chosen by `CarrierSelector`
/// (decision and reasons stored), a unique tracking number in the carrier's format, the waybill
/// (sender, recipient with the phone masked, order number, carrier, weight, insurance), an ETA, and
/// `shipment.dispatched`. Whole batches take a constant number of statements.
/// Invariant: one shipment per parcel id, however often the event is delivered; a parcel whose
/// warehouse logistics does not know, or that no carrier may take, is dead-lettered with the reason
/// (set the warehouse or carrier up, then redrive).
public struct ParcelDispatchHandler: EventHandler {
    public let eventTypes: Set<String> = [FulfillmentPacked.eventType]
    let selector = CarrierSelector()

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        var packed: [(FulfillmentPacked, EventEnvelope)] = []
        for event in events where event.type == FulfillmentPacked.eventType {
            guard let body = try? event.decode(FulfillmentPacked.self) else { throw HandlerRejection("undecodable fulfillment.packed") }
            guard !body.parcels.isEmpty, body.parcels.allSatisfy({ !$0.lines.isEmpty && $0.weightGrams > 0 }) else { throw HandlerRejection("fulfillment.packed with an empty or weightless parcel") }
            packed.append((body, event))
        }
        guard !packed.isEmpty else { return }
        let origins = try await CarrierStore.origins(Array(Set(packed.map(\.0.warehouseId))), connection: connection, logger: logger)
        let carriers = try await CarrierStore.active(connection: connection, logger: logger)

        var planned: [(packed: FulfillmentPacked, parcel: PackedParcel, decision: CarrierSelector.Decision, zone: DeliveryZone, origin: CarrierStore.Origin, cause: EventEnvelope)] = []
        for (body, event) in packed {
            guard let origin = origins[body.warehouseId] else {
                throw HandlerRejection("warehouse \(body.warehouseId) is unknown to logistics: PUT /v1/logistics/warehouses/\(body.warehouseId), then redrive")
            }
            let zone = DeliveryZone.of(originProvince: origin.province, city: origin.city, to: body.order.deliveryAddress)
            for parcel in body.parcels {
                let request = CarrierSelector.Parcel(weightGrams: parcel.weightGrams, perishable: parcel.perishable, valuable: parcel.valuable, zone: zone,
                                                     destinationProvince: body.order.deliveryAddress?.province ?? "", requestedService: body.order.requestedService)
                guard let decision = selector.choose(for: request, among: carriers) else {
                    throw HandlerRejection("no active carrier may take parcel \(parcel.parcelId) (\(parcel.weightGrams) g, zone \(zone.rawValue))")
                }
                planned.append((body, parcel, decision, zone, origin, event))
            }
        }
        let counts = Dictionary(grouping: planned, by: \.decision.carrier.carrierCode).mapValues(\.count)
        var sequences = try await CarrierStore.reserveSequences(counts, connection: connection, logger: logger).mapValues { Array($0) }

        // Cash on delivery: each new parcel collects its own share (a replayed parcel is not assigned again).
        let shares = try await CashOnDeliveryStore.assign(planned.map { ($0.parcel.parcelId, $0.parcel.lines, $0.packed.order) }, connection: connection, logger: logger)

        let now = Date()
        var rows = (ids: [String](), parcels: [String](), orders: [String](), fos: [String](), warehouses: [String](), carriers: [String](), companies: [String](),
                    tracking: [String](), zones: [String](), fees: [Int64](), weights: [Int32](), reasons: [String](), lines: [String](), waybills: [String](), etas: [Date](),
                    codShares: [String](), codExpected: [Int64]())
        var outgoing: [String: (ShipmentDispatched, EventEnvelope)] = [:]
        for item in planned {
            let carrier = item.decision.carrier
            let sequence = sequences[carrier.carrierCode]!.removeFirst()
            let tracking = TrackingNumber.make(prefix: carrier.trackingPrefix, digits: carrier.trackingDigits, sequence: sequence)
            let id = "SHP-\(item.parcel.parcelId)"
            let eta = DeliveryEstimate.eta(dispatchedAt: now, transitDays: item.decision.transitDays)
            let waybill = Waybill(trackingNumber: tracking, carrier: carrier.code, carrierName: carrier.name, orderId: item.packed.orderID,
                                  channelOrderId: item.packed.order.channelOrderID, sender: .init(name: item.origin.name, province: item.origin.province,
                                  city: item.origin.city, address: item.origin.address), recipient: .init(order: item.packed.order),
                                  weightGrams: item.parcel.weightGrams, insured: item.decision.carrier.insured && item.parcel.insured,
                                  declaredValueFen: item.parcel.insured ? item.parcel.declaredValue.minorUnits : nil,
                                  cashOnDeliveryFen: shares[item.parcel.parcelId].flatMap { $0.totalFen > 0 ? $0.totalFen : nil },
                                  handling: item.parcel.packaging)
            rows.ids.append(id); rows.parcels.append(item.parcel.parcelId); rows.orders.append(item.packed.orderID); rows.fos.append(item.packed.fulfillmentOrderId)
            rows.warehouses.append(item.packed.warehouseId); rows.carriers.append(carrier.code); rows.companies.append(carrier.carrierCode)
            rows.tracking.append(tracking); rows.zones.append(item.zone.rawValue); rows.fees.append(item.decision.fee.minorUnits)
            rows.weights.append(Int32(item.parcel.weightGrams)); rows.reasons.append(item.decision.reasons.joined(separator: ","))
            rows.lines.append(String(decoding: try EventCoding.encode(item.parcel.lines), as: UTF8.self))
            rows.waybills.append(String(decoding: try EventCoding.encode(waybill.sealed(by: context.vault)), as: UTF8.self)); rows.etas.append(eta)
            rows.codShares.append(try shares[item.parcel.parcelId].map { String(decoding: try EventCoding.encode($0), as: UTF8.self) } ?? "")
            rows.codExpected.append(waybill.cashOnDeliveryFen ?? -1)
            outgoing[id] = (ShipmentDispatched(shipmentId: id, orderID: item.packed.orderID, warehouseId: item.packed.warehouseId, carrier: carrier.carrierCode,
                                               trackingNumber: tracking, lines: item.parcel.lines, dispatchedAt: now, parcelId: item.parcel.parcelId,
                                               service: carrier.code, weightGrams: item.parcel.weightGrams, estimatedDelivery: eta,
                                               selectionReasons: item.decision.reasons), item.cause)
        }
        let inserted = try await connection.query("""
            INSERT INTO shipments (id, parcel_id, order_id, fulfillment_order_id, warehouse_code, carrier, carrier_code, tracking_number, status, zone, fee_fen,
                                   weight_grams, selection_reasons, lines, waybill, eta, dispatched_at, last_scan_at, cod_share, cod_expected_fen)
            SELECT i, p, o, f, w, c, cc, t, 'dispatched', z, fee, g, string_to_array(r, ','), l::jsonb, wb::jsonb, e, \(now), \(now), NULLIF(cs, '')::jsonb, NULLIF(ce, -1)
            FROM unnest(\(rows.ids)::text[], \(rows.parcels)::text[], \(rows.orders)::text[], \(rows.fos)::text[], \(rows.warehouses)::text[], \(rows.carriers)::text[],
                        \(rows.companies)::text[], \(rows.tracking)::text[], \(rows.zones)::text[], \(rows.fees)::int8[], \(rows.weights)::int4[], \(rows.reasons)::text[],
                        \(rows.lines)::text[], \(rows.waybills)::text[], \(rows.etas)::timestamptz[], \(rows.codShares)::text[], \(rows.codExpected)::int8[])
                        AS u(i, p, o, f, w, c, cc, t, z, fee, g, r, l, wb, e, cs, ce)
            ON CONFLICT (parcel_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var created: [String] = []
        for try await id in inserted.decode(String.self) { created.append(id) }
        for id in rows.ids where created.contains(id) {
            let (dispatched, cause) = outgoing[id]!
            try context.emit(dispatched, orderID: dispatched.orderID, topic: TopicCatalogue.shipments, causedBy: cause)
        }
    }
}
