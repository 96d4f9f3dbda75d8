import Foundation
import LogisticsService
import OMSDomain
import OMSPlatform
import Testing

@Suite("Logistics: carriers, dispatch, tracking webhooks, delays, lost parcels (real PostgreSQL and broker)", .serialized)
struct LogisticsFlowTests {
    typealias F = FulfillmentFixtures
    static let secrets = ["ZTO": "zto-webhook-secret-0001", "SF": "sf-webhook-secret-00001", "DADA": "dada-webhook-secret-001"]
    /// Carrier secrets only (default delay thresholds).
    static let signingEnvironment = ["OMS_CARRIER_SECRETS": secrets.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
    /// Secrets and a 3-second no-scan threshold checked every second.
    static let environment = signingEnvironment.merging(["OMS_DELAY_NO_SCAN_SECONDS": "3", "OMS_DELAY_CHECK_SECONDS": "1"]) { _, new in new }

    static func setUpOrigins(_ http: EdgeClient) async throws {
        for (code, province, city) in [("SH1", "上海市", "上海市"), ("HZ1", "浙江省", "杭州市"), ("GZ1", "广东省", "广州市")] {
            let body = #"{"name":"\#(code) DC","province":"\#(province)","city":"\#(city)","address":"物流园 8 号"}"#
            let reply = try await http.send(.PUT, "/v1/logistics/warehouses/\(code)", body: Array(body.utf8))
            guard reply.status == 200 else { throw InventoryFixtures.Failure("origin set-up: \(reply.status) \(reply.text)") }
        }
    }

    /// `fulfillment.packed` with one parcel of `lines` weighing `grams`.
    static func packed(_ order: Order, from warehouse: String, grams: Int = 900, perishable: Bool = false, valuable: Bool = false) throws -> (EventEnvelope, String) {
        let lines = order.lines.map { ParcelLine(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity) }
        let parcel = PackedParcel(parcelId: "FO-\(order.orderID)-\(warehouse)-P1", cartonCode: "S", lengthMm: 250, widthMm: 200, heightMm: 100, weightGrams: grams, lines: lines,
                                  fragile: false, liquid: false, perishable: perishable, valuable: valuable, insured: valuable, declaredValue: order.goodsTotal,
                                  packaging: perishable ? ["insulated_liner", "ice_pack"] : [], inserts: ["invoice"])
        return (try EventEnvelope.make(FulfillmentPacked(fulfillmentOrderId: "FO-\(order.orderID)-\(warehouse)", orderID: order.orderID, warehouseId: warehouse, parcels: [parcel],
                                                         packedBy: "automation", packedAt: Date(), order: order), orderID: order.orderID, producer: .fulfillment),
                TopicCatalogue.fulfillmentEvents)
    }

    static func track(_ http: EdgeClient, carrier: String, _ json: String, secret: String? = nil) async throws -> EdgeClient.Reply {
        let body = Array(json.utf8)
        let signature = CarrierSignature.sign(body, secret: secret ?? secrets[carrier] ?? "none")
        return try await http.send(.POST, "/v1/logistics/carriers/\(carrier)/tracking-events", body: body, headers: [CarrierSignature.header: signature])
    }

    static func scan(_ id: String, _ tracking: String, _ type: String, at: Date, extra: String = "") -> String {
        #"{"eventId":"\#(id)","trackingNumber":"\#(tracking)","type":"\#(type)","occurredAt":"\#(Timestamps.format(at))","location":"北京市"\#(extra)}"#
    }

    @Test("carrier per rule; unique tracking numbers across two processes; signed, idempotent, forward-only webhooks; delay detection")
    func dispatchAndTracking() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(logistics: Self.environment, logisticsProcesses: 2) { clients in
                let http = try #require(clients.logistics)
                try await Self.setUpOrigins(http)
                var express = F.order("O-EXPRESS", province: "北京市", city: "北京市", [("CLO-TEE-BLK-M", 1)])
                express.requestedService = "express"
                let cases: [(Order, String, Int, Bool, Bool, String)] = [
                    (F.order("O-FRESH", [("FRS-MILK-1", 2)]), "HZ1", 2_600, true, false, "DADA-SAMEDAY"),
                    (F.order("O-PHONE", province: "北京市", city: "北京市", [("ELE-PHONE-1", 1)]), "GZ1", 900, false, true, "SF-STANDARD"),
                    (F.order("O-BOOK", province: "北京市", city: "北京市", [("HOM-TOWEL-1", 1)]), "GZ1", 900, false, false, "ZTO-ECONOMY"),
                    (express, "GZ1", 900, false, false, "JD-EXPRESS"),
                ]
                let events = try cases.map { try Self.packed($0.0, from: $0.1, grams: $0.2, perishable: $0.3, valuable: $0.4) }
                // Delivered twice, plus a parcel from a warehouse logistics does not know (dead-lettered).
                try await world.publish(events + [events[2], try Self.packed(F.order("O-NOWHERE", [("HOM-TOWEL-1", 1)]), from: "XX9")])
                for (order, _, _, _, _, service) in cases {
                    let dispatched = try await world.events(on: TopicCatalogue.shipments) { $0.contains { $0.orderID == order.orderID && $0.type == ShipmentDispatched.eventType } }
                        .first { $0.orderID == order.orderID && $0.type == ShipmentDispatched.eventType }!.decode(ShipmentDispatched.self)
                    #expect(dispatched.service == service, "\(order.orderID): \(dispatched.selectionReasons ?? [])")
                    #expect(dispatched.estimatedDelivery != nil && dispatched.lines.count == 1)
                }
                let dead = try await world.events(on: ServiceName.logistics.deadLetterTopic) { !$0.isEmpty }
                #expect(dead.count == 1 && dead.first?.orderID == "O-NOWHERE")
                #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-BOOK'") == 1)

                let phone = try #require((try await http.send(.GET, "/v1/logistics/shipments?orderId=O-PHONE").json["shipments"] as? [[String: Any]])?.first)
                let phoneTracking = try #require(phone["trackingNumber"] as? String)
                #expect(TrackingNumber.isValid(phoneTracking, prefix: "SF", digits: 13) && (phone["selectionReasons"] as? [String]) == ["valuable_insured", "cheapest_meeting_promise"])
                let waybill = try await http.send(.GET, "/v1/logistics/shipments/\(phoneTracking)/waybill")
                #expect(waybill.text.contains("138****8000") && !waybill.text.contains("13800138000") && waybill.json["insured"] as? Bool == true)

                // Webhooks for the towel (ZTO): forged, unsigned and unconfigured carriers are refused.
                let book = try #require((try await http.send(.GET, "/v1/logistics/shipments?orderId=O-BOOK").json["shipments"] as? [[String: Any]])?.first)
                let tracking = try #require(book["trackingNumber"] as? String)
                let now = Date()
                let pickedUp = Self.scan("Z-1", tracking, "picked_up", at: now)
                #expect(try await Self.track(http, carrier: "ZTO", pickedUp, secret: "forged-secret-forged-1").status == 401)
                #expect(try await http.send(.POST, "/v1/logistics/carriers/ZTO/tracking-events", body: Array(pickedUp.utf8)).status == 401)
                #expect(try await Self.track(http, carrier: "JD", Self.scan("J-1", tracking, "picked_up", at: now)).text.contains("carrier_not_configured"))
                let accepted = try await Self.track(http, carrier: "ZTO", pickedUp)
                #expect(accepted.status == 200 && accepted.json["status"] as? String == "pickedUp" && accepted.json["applied"] as? Bool == true)
                #expect(try await Self.track(http, carrier: "ZTO", pickedUp).json["duplicate"] as? Bool == true)
                #expect(try await Self.track(http, carrier: "ZTO", Self.scan("Z-X", "ZT00000000000", "picked_up", at: now)).status == 404)
                #expect(try await Self.track(http, carrier: "ZTO", #"{"eventId":"Z-9","type":"teleported"}"#).status == 400)
                #expect(try await Self.track(http, carrier: "ZTO", Self.scan("Z-8", tracking, "teleported", at: now)).status == 422)
                // Delivered arrives before the out-for-delivery scan: the late scan never moves it back.
                let delivered = Self.scan("Z-3", tracking, "delivered", at: now.addingTimeInterval(7_200), extra: #","signedBy":"本人","proofReference":"photo/Z-3.jpg""#)
                #expect(try await Self.track(http, carrier: "ZTO", delivered).json["status"] as? String == "delivered")
                let late = try await Self.track(http, carrier: "ZTO", Self.scan("Z-2", tracking, "out_for_delivery", at: now.addingTimeInterval(3_600)))
                #expect(late.json["status"] as? String == "delivered" && late.json["applied"] as? Bool == false)
                let view = try await http.send(.GET, "/v1/logistics/shipments/\(tracking)").json
                #expect(view["status"] as? String == "delivered" && view["signedBy"] as? String == "本人" && (view["scans"] as? [[String: Any]])?.count == 3)
                let bookEvents = try await world.events(on: TopicCatalogue.shipments) { $0.contains { $0.orderID == "O-BOOK" && $0.type == ShipmentDelivered.eventType } }
                    .filter { $0.orderID == "O-BOOK" }.map(\.type)
                #expect(bookEvents.filter { $0 == ShipmentInTransit.eventType }.count == 1 && bookEvents.filter { $0 == ShipmentDelivered.eventType }.count == 1)

                // No scan for 3 s: the phone's shipment is delayed, once.
                let delayed = try await world.events(on: TopicCatalogue.shipments) { $0.contains { $0.orderID == "O-PHONE" && $0.type == ShipmentDelayed.eventType } }
                #expect(try delayed.first { $0.orderID == "O-PHONE" && $0.type == ShipmentDelayed.eventType }!.decode(ShipmentDelayed.self).reasonCode == "no_scan")
                #expect(try await http.send(.GET, "/v1/logistics/shipments/\(phoneTracking)").json["delayed"] as? Bool == true)

                // 300 parcels over two logistics processes: every tracking number distinct and well-formed.
                let burst = try (0..<300).map { n in
                    try Self.packed(F.order("O-BURST-\(n)", province: n % 2 == 0 ? "北京市" : "四川省", city: n % 2 == 0 ? "北京市" : "成都市", [("HOM-TOWEL-1", 1)]),
                                    from: n % 3 == 0 ? "HZ1" : "GZ1", valuable: n % 5 == 0)
                }
                try await world.publish(burst)
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id LIKE 'O-BURST-%'") == 300 })
                #expect(try await world.count("SELECT count(DISTINCT tracking_number) FROM \(world.logisticsSchema).shipments") == 304)
                #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE tracking_number !~ '^(SF[0-9]{13}|ZT[0-9]{12}|JDV[0-9]{12}|DD[0-9]{10}|YT[0-9]{13})$'") == 0)

                // The phone's shipment was delayed once, however many scans ran after it: a burst
                // parcel, booked after that delay, delayed in turn proves later scans ran.
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id LIKE 'O-BURST-%' AND delayed_at IS NOT NULL") > 0
                })
                #expect(try await world.committedEvents(schema: world.logisticsSchema, key: "O-PHONE", type: ShipmentDelayed.eventType) == 1)
            }
        }
    }

    @Test("a lost parcel is re-reserved, re-packed and re-dispatched exactly once")
    func lostParcel() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: Self.environment) { clients in
                let (inventory, logistics) = (try #require(clients.inventory), try #require(clients.logistics))
                try await InventoryFixtures.setUpWarehouses(inventory)
                try await Self.setUpOrigins(logistics)
                #expect(try await InventoryFixtures.receive(inventory, "HOM-TOWEL-1", 5, into: "HZ1").status == 201)
                try await world.publish([try InventoryFixtures.verified(F.order("O-LOST", province: "北京市", city: "北京市", [("HOM-TOWEL-1", 1)]))])
                let first = try await world.events(on: TopicCatalogue.shipments) { $0.contains { $0.orderID == "O-LOST" && $0.type == ShipmentDispatched.eventType } }
                    .first { $0.orderID == "O-LOST" && $0.type == ShipmentDispatched.eventType }!.decode(ShipmentDispatched.self)
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'HOM-TOWEL-1' AND warehouse_code = 'HZ1'") == 4 })

                // Lost, reported three times (a repeat, then "destroyed"): one shipment.lost, one re-shipment.
                let lost = Self.scan("L-1", first.trackingNumber, "lost", at: Date())
                #expect(try await Self.track(logistics, carrier: first.carrier, lost).json["status"] as? String == "lost")
                #expect(try await Self.track(logistics, carrier: first.carrier, lost).json["duplicate"] as? Bool == true)
                #expect(try await Self.track(logistics, carrier: first.carrier, Self.scan("L-2", first.trackingNumber, "destroyed", at: Date())).json["applied"] as? Bool == false)
                let all = try await world.events(on: TopicCatalogue.shipments) { $0.filter { $0.orderID == "O-LOST" && $0.type == ShipmentDispatched.eventType }.count == 2 }
                    .filter { $0.orderID == "O-LOST" }
                #expect(all.filter { $0.type == ShipmentLost.eventType }.count == 1)
                let replacement = try all.filter { $0.type == ShipmentDispatched.eventType }.map { try $0.decode(ShipmentDispatched.self) }.last!
                #expect(replacement.shipmentId != first.shipmentId && replacement.lines == first.lines)
                let reserved = try await world.inventoryEvents(about: "O-LOST") { $0.contains { (try? $0.decode(InventoryReserved.self).cause) == "reshipment" } }
                let reshipments = reserved.compactMap { try? $0.decode(InventoryReserved.self) }.filter { $0.cause == "reshipment" }
                #expect(reshipments.count == 1)
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'HOM-TOWEL-1' AND warehouse_code = 'HZ1'") == 3 })
                // The repeats were taken in before the replacement was dispatched (the carrier's
                // webhook answered first); what logistics committed is one loss, two shipments.
                #expect(try await world.committedEvents(schema: world.logisticsSchema, key: "O-LOST", type: ShipmentLost.eventType) == 1)
                #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-LOST'") == 2)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reshipments") == 1)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("cash on delivery per parcel: a split order's waybills add up to the order total once (shipping on the first); a lost parcel's re-shipment collects its share again; a second parcel of delivered units collects nothing; couriers' reported amounts reconcile per carrier and day, a short one flagged")
    func cashOnDeliveryPerParcel() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(logistics: Self.environment) { clients in
                let logistics = try #require(clients.logistics)
                try await Self.setUpOrigins(logistics)
                var order = F.order("O-COD-SPLIT", province: "北京市", city: "北京市", [("ELE-CHARGER-1", 1), ("ELE-CABLE-1", 3)])
                order.shippingFee = .fen(1_000)
                order.payment = Payment(method: .cashOnDelivery, reference: nil, paidAmount: .zero, paidAt: nil)
                /// `fulfillment.packed` of one parcel `parcelID` holding `lines` (line number, quantity) from `warehouse`.
                func packed(_ parcelID: String, from warehouse: String, _ lines: [(Int, Int)]) throws -> (EventEnvelope, String) {
                    let parcelLines = lines.map { line in ParcelLine(lineNumber: line.0, sku: order.lines.first { $0.lineNumber == line.0 }!.sku, quantity: line.1) }
                    let parcel = PackedParcel(parcelId: parcelID, cartonCode: "S", lengthMm: 250, widthMm: 200, heightMm: 100, weightGrams: 600, lines: parcelLines,
                                              fragile: false, liquid: false, perishable: false, valuable: false, insured: false, declaredValue: .zero, packaging: [], inserts: [])
                    return (try EventEnvelope.make(FulfillmentPacked(fulfillmentOrderId: "FO-\(parcelID)", orderID: order.orderID, warehouseId: warehouse, parcels: [parcel],
                                                                     packedBy: "automation", packedAt: Date(), order: order), orderID: order.orderID, producer: .fulfillment),
                            TopicCatalogue.fulfillmentEvents)
                }
                func collects(_ parcelID: String) async throws -> Int64? {
                    let rows = try await world.strings("SELECT coalesce(waybill->>'cashOnDeliveryFen', 'none') FROM \(world.logisticsSchema).shipments WHERE parcel_id = '\(parcelID)'")
                    return rows.first.flatMap { Int64($0[0]) }
                }
                func dispatched(_ count: Int) async throws -> Bool {
                    try await world.eventually { try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-COD-SPLIT'") == count }
                }
                // Charger from Shanghai; cables from Guangzhou in two parcels (the packed event of the first parcel arrives twice).
                let first = try packed("P-CHARGER", from: "SH1", [(1, 1)])
                try await world.publish([first, first, try packed("P-CABLE-A", from: "GZ1", [(2, 2)]), try packed("P-CABLE-B", from: "GZ1", [(2, 1)])])
                #expect(try await dispatched(3))
                let shares = [try await collects("P-CHARGER"), try await collects("P-CABLE-A"), try await collects("P-CABLE-B")]
                let cable = order.lines[1].paidAmount.minorUnits
                #expect(shares == [order.lines[0].paidAmount.minorUnits + 1_000, cable * 2 / 3, cable - cable * 2 / 3], "\(shares)")
                #expect(shares.compactMap { $0 }.reduce(0, +) == order.total.minorUnits, "the parcels must collect the order total once, not once each")

                // The charger parcel is lost: its re-shipment collects what it owed (shipping included).
                let tracking = try #require(try await world.strings("SELECT tracking_number, carrier_code FROM \(world.logisticsSchema).shipments WHERE parcel_id = 'P-CHARGER'").first)
                #expect(try await Self.track(logistics, carrier: tracking[1], Self.scan("COD-L-1", tracking[0], "lost", at: Date())).json["status"] as? String == "lost")
                try await world.publish([try packed("P-CHARGER-RESHIP", from: "SH1", [(1, 1)])])
                #expect(try await dispatched(4))
                #expect(try await collects("P-CHARGER-RESHIP") == shares[0])
                // An exchange replacement of a cable that was paid for collects nothing.
                try await world.publish([try packed("P-CABLE-EXCHANGE", from: "GZ1", [(2, 1)])])
                #expect(try await dispatched(5))
                #expect(try await collects("P-CABLE-EXCHANGE") == nil)

                // Couriers report what they collected: right, short by one yuan, and not at all.
                func deliver(_ parcelID: String, collected: Int64?) async throws -> EdgeClient.Reply {
                    let row = try #require(try await world.strings("SELECT tracking_number, carrier_code FROM \(world.logisticsSchema).shipments WHERE parcel_id = '\(parcelID)'").first)
                    return try await Self.track(logistics, carrier: row[1], Self.scan("COD-D-\(parcelID)", row[0], "delivered", at: Date(),
                                                                                     extra: #","signedBy":"本人""# + (collected.map { #","collectedFen":\#($0)"# } ?? "")))
                }
                #expect(try await deliver("P-CABLE-A", collected: shares[1]).json["codMismatch"] as? Bool == false)
                #expect(try await deliver("P-CABLE-B", collected: shares[2]! - 100).json["codMismatch"] as? Bool == true)
                #expect(try await deliver("P-CHARGER-RESHIP", collected: nil).json["codMismatch"] == nil)
                let formatter = DateFormatter()
                formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
                formatter.dateFormat = "yyyy-MM-dd"
                let today = formatter.string(from: Date())
                let report = try await logistics.send(.GET, "/v1/logistics/cod-reconciliation?from=\(today)&to=\(today)")
                let rows = report.json["rows"] as? [[String: Any]] ?? []
                func sum(_ key: String) -> Int64 { rows.reduce(0) { $0 + (($1[key] as? NSNumber)?.int64Value ?? 0) } }
                #expect(report.status == 200 && sum("parcels") == 4, "\(report.text.prefix(500))")
                #expect(sum("expectedFen") == order.total.minorUnits + shares[0]!, "the lost parcel's share is expected twice: once lost, once re-shipped")
                #expect(sum("lostFen") == shares[0]! && sum("mismatchedParcels") == 1 && sum("differenceFen") == -100 && sum("unreportedParcels") == 1)
                #expect(sum("collectedFen") == shares[1]! + shares[2]! - 100 && sum("openFen") == 0)
                let bad = try await logistics.send(.GET, "/v1/logistics/cod-reconciliation?from=2026-02-30&to=\(today)")
                #expect(bad.status == 422 && bad.text.contains("\"from\""), "\(bad.text)")
            }
        }
    }
}
