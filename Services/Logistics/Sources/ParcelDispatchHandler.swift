import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `fulfillment.packed` → one shipment per parcel: the carrier service chosen by `CarrierSelector`
/// (decision and reasons stored), a tracking number, the waybill (sender, recipient with the phone
/// masked, order number, carrier, weight, insurance, where its number came from), an ETA, and
/// `shipment.dispatched`. The recipient and address are the order's as packed, with customer
/// service's corrections made before packing applied (`OrderAmendmentHandler`). A carrier with an e-waybill API gives the number: the parcel is recorded
/// as a waybill booking and `WaybillBooker` dispatches it once the carrier answers; other carriers'
/// numbers come from the local counter, in the carrier's format, at once. Whole batches take a
/// constant number of statements.
/// Parcels of orders merged for shipping (合单) that share a box ship under the box's one tracking
/// number and carrier service (`ConsolidatedParcelStore`), the carriage charged once; each order
/// keeps its own shipment and events.
/// Invariant: one shipment per parcel id, however often the event is delivered; a parcel whose
/// warehouse logistics does not know, or that no carrier may take, is dead-lettered with the reason
/// (set the warehouse or carrier up, then redrive).
public struct ParcelDispatchHandler: EventHandler {
    public let eventTypes: Set<String> = [FulfillmentPacked.eventType]
    let selector = CarrierSelector()
    /// Carrier companies whose waybill numbers come from their e-waybill API (`WaybillBooker`).
    let apiCarriers: Set<String>
    /// How long a pickup order (门店自提) waits at its store.
    let pickupHoldSeconds: Int

    init(apiCarriers: Set<String> = [], pickupHoldSeconds: Int = 259_200) {
        self.apiCarriers = apiCarriers
        self.pickupHoldSeconds = pickupHoldSeconds
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        var packed: [(FulfillmentPacked, EventEnvelope)] = []
        for event in events where event.type == FulfillmentPacked.eventType {
            guard let body = try? event.decode(FulfillmentPacked.self) else { throw HandlerRejection("undecodable fulfillment.packed") }
            guard !body.parcels.isEmpty, body.parcels.allSatisfy({ !$0.lines.isEmpty && $0.weightGrams > 0 }) else { throw HandlerRejection("fulfillment.packed with an empty or weightless parcel") }
            packed.append((body, event))
        }
        // Pickup orders wait at their store for the customer: no carrier, no waybill.
        let pickups = packed.filter { $0.0.order.pickupStoreID != nil }
        if !pickups.isEmpty {
            try await readyForPickup(pickups, context: context)
            packed.removeAll { $0.0.order.pickupStoreID != nil }
        }
        guard !packed.isEmpty else { return }
        // Customer service's corrections made before packing (kept by `OrderAmendmentHandler`) label the parcels.
        let amendments = try await OrderAmendmentStore.amendments(Array(Set(packed.map(\.0.orderID))), vault: context.vault, connection: connection, logger: logger)
        for index in packed.indices {
            if let amendment = amendments[packed[index].0.orderID] { packed[index].0.order = amendment.applied(to: packed[index].0.order) }
        }
        let origins = try await CarrierStore.origins(Array(Set(packed.map(\.0.warehouseId))), connection: connection, logger: logger)
        let carriers = try await CarrierStore.active(connection: connection, logger: logger)
        // Boxes shared by merged orders (合单) already booked by an earlier parcel of the box.
        var boxes = try await ConsolidatedParcelStore.booked(Array(Set(packed.flatMap { $0.0.parcels.compactMap(\.consolidation?.consolidationId) })),
                                                            connection: connection, logger: logger)

        var planned: [(packed: FulfillmentPacked, parcel: PackedParcel, decision: CarrierSelector.Decision, zone: DeliveryZone, origin: CarrierStore.Origin, cause: EventEnvelope)] = []
        for (body, event) in packed {
            guard let origin = origins[body.warehouseId] else {
                throw HandlerRejection("warehouse \(body.warehouseId) is unknown to logistics: PUT /v1/logistics/warehouses/\(body.warehouseId), then redrive")
            }
            let zone = DeliveryZone.of(originProvince: origin.province, city: origin.city, to: body.order.deliveryAddress)
            for parcel in body.parcels {
                let request = CarrierSelector.Parcel(weightGrams: parcel.weightGrams, perishable: parcel.perishable, valuable: parcel.valuable, zone: zone,
                                                     destinationProvince: body.order.deliveryAddress?.province ?? "", requestedService: body.order.requestedService)
                // A shared box ships with the carrier service it was booked with; a new one with a
                // carrier numbered here (an e-waybill booking names one parcel, not a box).
                var among = carriers
                if let box = parcel.consolidation?.consolidationId {
                    among = boxes[box].map { booked in carriers.filter { $0.code == booked.service } } ?? carriers.filter { !apiCarriers.contains($0.carrierCode) }
                }
                guard let decision = selector.choose(for: request, among: among) else {
                    throw HandlerRejection("no active carrier may take parcel \(parcel.parcelId) (\(parcel.weightGrams) g, zone \(zone.rawValue))")
                }
                planned.append((body, parcel, decision, zone, origin, event))
            }
        }
        // Carriers booked through their e-waybill API get their number from the carrier (the
        // booking job); the others from the local counter, now.
        // A shared box takes one number, for its first parcel to arrive.
        var firstOfBox: [Int: String] = [:]
        var seenBoxes = Set(boxes.keys)
        for (index, item) in planned.enumerated() {
            if let box = item.parcel.consolidation?.consolidationId, seenBoxes.insert(box).inserted { firstOfBox[index] = box }
        }
        let local = planned.enumerated().filter { !apiCarriers.contains($0.element.decision.carrier.carrierCode) && ($0.element.parcel.consolidation == nil || firstOfBox[$0.offset] != nil) }
        let counts = Dictionary(grouping: local.map(\.element), by: \.decision.carrier.carrierCode).mapValues(\.count)
        var sequences = try await CarrierStore.reserveSequences(counts, connection: connection, logger: logger).mapValues { Array($0) }
        var fresh: [(id: String, booked: ConsolidatedParcelStore.Booked, orderIDs: [String])] = []
        for (index, box) in firstOfBox.sorted(by: { $0.key < $1.key }) {
            let carrier = planned[index].decision.carrier
            let number = TrackingNumber.make(prefix: carrier.trackingPrefix, digits: carrier.trackingDigits, sequence: sequences[carrier.carrierCode]!.removeFirst())
            fresh.append((box, .init(service: carrier.code, carrierCode: carrier.carrierCode, trackingNumber: number), planned[index].parcel.consolidation?.orderIDs ?? []))
        }
        let ours = Set(fresh.map(\.booked.trackingNumber))
        boxes.merge(try await ConsolidatedParcelStore.book(fresh, connection: connection, logger: logger)) { $1 }

        // Cash on delivery: each new parcel collects its own share (a replayed parcel is not assigned again).
        let shares = try await CashOnDeliveryStore.assign(planned.map { ($0.parcel.parcelId, $0.parcel.lines, $0.packed.order) }, connection: connection, logger: logger)

        let now = Date()
        var numbered: [(PlannedShipment, String)] = []
        var bookings: [WaybillBookingStore.Recording] = []
        for (index, item) in planned.enumerated() {
            let box = item.parcel.consolidation.flatMap { boxes[$0.consolidationId] }
            // The box's service (another consumer may have booked it first, with its own choice).
            let carrier = box.flatMap { booked in carriers.first { $0.code == booked.service } } ?? item.decision.carrier
            let id = "SHP-\(item.parcel.parcelId)"
            let eta = DeliveryEstimate.eta(dispatchedAt: now, transitDays: item.decision.transitDays)
            let byAPI = box == nil && apiCarriers.contains(carrier.carrierCode)
            let tracking = byAPI ? "" : box?.trackingNumber
                ?? TrackingNumber.make(prefix: carrier.trackingPrefix, digits: carrier.trackingDigits, sequence: sequences[carrier.carrierCode]!.removeFirst())
            // The box's carriage is charged once, to the parcel that booked it.
            let fee = box == nil || (firstOfBox[index] != nil && ours.contains(tracking)) ? item.decision.fee.minorUnits : 0
            let waybill = Waybill(trackingNumber: tracking, carrier: carrier.code, carrierName: carrier.name, orderId: item.packed.orderID,
                                  channelOrderId: item.packed.order.channelOrderID, sender: .init(name: item.origin.name, province: item.origin.province,
                                  city: item.origin.city, address: item.origin.address), recipient: .init(order: item.packed.order),
                                  weightGrams: item.parcel.weightGrams, insured: item.decision.carrier.insured && item.parcel.insured,
                                  declaredValueFen: item.parcel.insured ? item.parcel.declaredValue.minorUnits : nil,
                                  cashOnDeliveryFen: shares[item.parcel.parcelId].flatMap { $0.totalFen > 0 ? $0.totalFen : nil },
                                  handling: item.parcel.packaging, numberSource: byAPI ? .carrierAPI : .localCounter, boxOrderIds: item.parcel.consolidation?.orderIDs)
            let shipment = PlannedShipment(
                id: id, parcelId: item.parcel.parcelId, orderId: item.packed.orderID, fulfillmentOrderId: item.packed.fulfillmentOrderId,
                warehouseId: item.packed.warehouseId, service: carrier.code, company: carrier.carrierCode, zone: item.zone.rawValue,
                feeFen: fee, weightGrams: item.parcel.weightGrams, reasons: item.decision.reasons, lines: item.parcel.lines, eta: eta,
                codShare: try shares[item.parcel.parcelId].map { String(decoding: try EventCoding.encode($0), as: UTF8.self) } ?? "",
                codExpectedFen: waybill.cashOnDeliveryFen ?? -1,
                dispatched: ShipmentDispatched(shipmentId: id, orderID: item.packed.orderID, warehouseId: item.packed.warehouseId, carrier: carrier.carrierCode,
                                               trackingNumber: tracking, lines: item.parcel.lines, dispatchedAt: now, parcelId: item.parcel.parcelId,
                                               service: carrier.code, weightGrams: item.parcel.weightGrams, estimatedDelivery: eta,
                                               selectionReasons: item.decision.reasons),
                causeEventId: item.cause.eventID, correlationId: item.cause.correlationID, consolidationId: item.parcel.consolidation?.consolidationId)
            if byAPI {
                let address = item.packed.order.deliveryAddress
                let recipient = WaybillRequest.Contact(name: item.packed.order.customer.name, phone: item.packed.order.customer.phone, province: address?.province ?? "",
                                                       city: address?.city ?? "", district: address?.district, address: address?.street ?? "")
                bookings.append(WaybillBookingStore.Recording(shipment: shipment,
                                                              sealedWaybill: context.vault.seal(String(decoding: try EventCoding.encode(waybill), as: UTF8.self),
                                                                                                context: WaybillBookingStore.sealContext(item.parcel.parcelId, "waybill")),
                                                              sealedRecipient: context.vault.seal(String(decoding: try EventCoding.encode(recipient), as: UTF8.self),
                                                                                                  context: WaybillBookingStore.sealContext(item.parcel.parcelId, "recipient"))))
            } else {
                numbered.append((shipment, String(decoding: try EventCoding.encode(waybill.sealed(by: context.vault)), as: UTF8.self)))
            }
        }
        try await WaybillBookingStore.record(bookings, connection: connection, logger: logger)
        for planned in try await ShipmentStore.insertDispatched(numbered, now: now, connection: connection, logger: logger) {
            context.emit(try planned.event(at: now), topic: TopicCatalogue.shipments)
        }
    }

    /// Each parcel of a pickup order becomes a pickup at the store it was packed in, with a pickup
    /// number and a six-digit code, and `shipment.dispatched` (carrier `STORE-PICKUP`) carrying
    /// the code and the deadline, which is how the channel and the customer's SMS learn them.
    private func readyForPickup(_ packed: [(FulfillmentPacked, EventEnvelope)], context: TransactionContext) async throws {
        let now = Date(), expires = now.addingTimeInterval(TimeInterval(pickupHoldSeconds))
        var codes: [String: String] = [:]
        var pickups: [PickupStore.Ready] = []
        var parcels: [String: (FulfillmentPacked, PackedParcel, EventEnvelope)] = [:]
        for (body, event) in packed {
            for parcel in body.parcels {
                let id = "PU-\(parcel.parcelId)", code = PickupCode.generate()
                codes[id] = code
                parcels[id] = (body, parcel, event)
                pickups.append(.init(id: id, parcelID: parcel.parcelId, orderID: body.orderID, storeCode: body.warehouseId,
                                     codeHash: PickupCode.hash(code, pickupID: id), lines: parcel.lines))
            }
        }
        for (id, number) in try await PickupStore.ready(pickups, at: now, expiresAt: expires, connection: context.connection, logger: context.logger).sorted(by: { $0.key < $1.key }) {
            guard let (body, parcel, event) = parcels[id] else { continue }
            try context.emit(ShipmentDispatched(shipmentId: id, orderID: body.orderID, warehouseId: body.warehouseId, carrier: Self.pickupCarrier, trackingNumber: number,
                                                lines: parcel.lines, dispatchedAt: now, parcelId: parcel.parcelId, service: Self.pickupCarrier,
                                                weightGrams: parcel.weightGrams, estimatedDelivery: expires, pickupCode: codes[id], pickupExpiresAt: expires),
                             orderID: body.orderID, topic: TopicCatalogue.shipments, causedBy: event)
        }
    }

    /// The carrier and service name of a parcel that waits in a store for its customer.
    static let pickupCarrier = "STORE-PICKUP"
}
