import Foundation
import LogisticsService
import OMSDomain
import OMSPlatform
import Testing

/// E-waybills (电子面单): SF's numbers come from a local endpoint in SF's shape that checks every
/// digest; one waybill and one dispatch per parcel across throttling, redelivery, a refusal and a
/// SIGKILL of the logistics process; carriers without an API keep the local counter, stated on
/// the waybill.
@Suite("E-waybills: the carrier's number, one per parcel, through retries and a SIGKILL", .serialized)
struct EWaybillTests {
    typealias F = FulfillmentFixtures
    static let fast = ["OMS_EWAYBILL_RETRY_BASE_MILLISECONDS": "100", "OMS_EWAYBILL_POLL_MILLISECONDS": "50", "OMS_EWAYBILL_TIMEOUT_SECONDS": "2"]

    /// A valuable parcel (SF-STANDARD, insured) from GZ1 to Beijing.
    static func valuable(_ id: String) throws -> (EventEnvelope, String) {
        try LogisticsFlowTests.packed(F.order(id, province: "北京市", city: "北京市", [("ELE-PHONE-1", 1)]), from: "GZ1", valuable: true)
    }

    static func dispatched(_ world: IntakeWorld, _ order: String) async throws -> ShipmentDispatched? {
        try await world.events(on: TopicCatalogue.shipments, timeout: .seconds(30)) { $0.contains { $0.orderID == order && $0.type == ShipmentDispatched.eventType } }
            .first { $0.orderID == order && $0.type == ShipmentDispatched.eventType }?.decode(ShipmentDispatched.self)
    }

    @Test("SF's parcels dispatch with SF's number and routing label; throttling retried; a redelivered packing books nothing new; a refusal fails visibly and is booked again by ops; ZTO keeps the local counter")
    func bookedThroughTheCarrier() async throws {
        try await withIntakeWorld { world in
            let sf = SFExpressEndpoint(port: TestPorts.block())
            try await world.running([sf.application()]) {
                let environment = LogisticsFlowTests.signingEnvironment.merging(Self.fast) { $1 }.merging(sf.environment) { $1 }
                try await world.withStages(logistics: environment) { clients in
                    let http = try #require(clients.logistics)
                    try await LogisticsFlowTests.setUpOrigins(http)
                    sf.behave("SHP-FO-O-EWB-THROTTLED-GZ1-P1", .throttle(times: 2))
                    sf.behave("SHP-FO-O-EWB-REFUSED-GZ1-P1", .refuse)
                    let sfParcels = try ["O-EWB-1", "O-EWB-THROTTLED", "O-EWB-REFUSED"].map(Self.valuable)
                    let local = try LogisticsFlowTests.packed(F.order("O-EWB-TOWEL", province: "北京市", city: "北京市", [("HOM-TOWEL-1", 1)]), from: "GZ1")
                    try await world.publish(sfParcels + [local, sfParcels[0]])

                    let first = try #require(try await Self.dispatched(world, "O-EWB-1"))
                    #expect(first.trackingNumber == sf.issued["SHP-FO-O-EWB-1-GZ1-P1"] && first.carrier == "SF")
                    let throttled = try #require(try await Self.dispatched(world, "O-EWB-THROTTLED"))
                    #expect(throttled.trackingNumber == sf.issued["SHP-FO-O-EWB-THROTTLED-GZ1-P1"])
                    #expect(sf.calls.filter { $0.orderId == "SHP-FO-O-EWB-THROTTLED-GZ1-P1" }.map(\.answered) == ["A1005", "A1005", "booked"])
                    let towel = try #require(try await Self.dispatched(world, "O-EWB-TOWEL"))
                    #expect(TrackingNumber.isValid(towel.trackingNumber, prefix: "ZT", digits: 12))

                    // The waybill says where its number came from and carries SF's routing label.
                    let label = try await http.send(.GET, "/v1/logistics/shipments/\(first.trackingNumber)/waybill")
                    #expect(label.json["numberSource"] as? String == "carrier_api" && (label.json["routeLabel"] as? [String: Any])?["destRouteLabel"] as? String == "755WE-571A3",
                            "\(label.text)")
                    #expect(label.text.contains("138****8000") && !label.text.contains("13800138000"))
                    #expect(try await http.send(.GET, "/v1/logistics/shipments/\(towel.trackingNumber)/waybill").json["numberSource"] as? String == "local_counter")
                    let sfCalls = sf.calls
                    #expect(sfCalls.allSatisfy { $0.digestValid })

                    // The refusal: failed with SF's code, no shipment, visible; booked again after the fix.
                    #expect(try await world.eventually {
                        try await http.send(.GET, "/v1/logistics/waybill-bookings/FO-O-EWB-REFUSED-GZ1-P1").json["status"] as? String == "failed"
                    })
                    let refused = try await http.send(.GET, "/v1/logistics/waybill-bookings?status=failed")
                    #expect((refused.json["bookings"] as? [[String: Any]])?.first?["lastErrorCode"] as? String == "8019", "\(refused.text)")
                    #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-EWB-REFUSED'") == 0)
                    sf.behave("SHP-FO-O-EWB-REFUSED-GZ1-P1", .accept)
                    #expect(try await http.send(.POST, "/v1/logistics/waybill-bookings/FO-O-EWB-REFUSED-GZ1-P1/retry").status == 202)
                    let refusedThenBooked = try #require(try await Self.dispatched(world, "O-EWB-REFUSED"))
                    #expect(refusedThenBooked.trackingNumber == sf.issued["SHP-FO-O-EWB-REFUSED-GZ1-P1"])
                    #expect(try await http.send(.POST, "/v1/logistics/waybill-bookings/FO-O-EWB-REFUSED-GZ1-P1/retry").status == 409)

                    // Redelivered packings (the one above, and all again now) book and dispatch nothing new.
                    try await world.publish(sfParcels)
                    try await Task.sleep(for: .seconds(1))
                    #expect(sf.issued.count == 3 && sf.calls.filter { $0.serviceCode == "EXP_RECE_CREATE_ORDER" && $0.answered == "booked" }.count == 3)
                    for order in ["O-EWB-1", "O-EWB-THROTTLED", "O-EWB-REFUSED"] {
                        #expect(try await world.committedEvents(schema: world.logisticsSchema, key: order, type: ShipmentDispatched.eventType) == 1, "\(order)")
                    }
                    #expect(try await http.send(.GET, "/v1/logistics/waybill-bookings?status=lost").status == 422)
                }
            }
        }
    }

    @Test("the logistics process SIGKILLed while SF is booking: after a restart every parcel is dispatched once with the one number SF issued for it")
    func killedMidBooking() async throws {
        try await withIntakeWorld { world in
            let sf = SFExpressEndpoint(port: TestPorts.block())
            let port = TestPorts.block()
            let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
            @Sendable func launch() throws -> Process {
                try ChildService.launch("oms-logistics", world: world, schema: world.logisticsSchema, port: port,
                                        environment: Self.fast.merging(sf.environment) { $1 }.merging(LogisticsFlowTests.signingEnvironment) { $1 })
            }
            @Sendable func ready() async throws -> Bool { try await ChildService.ready(client, world: world) }
            try await world.running([sf.application()]) {
                var process = try launch()
                #expect(try await ready())
                try await LogisticsFlowTests.setUpOrigins(client)
                // SF books at once but answers late (longer than the 2 s timeout): calls in flight when killed.
                sf.behaveByDefault(.slow(.milliseconds(2_500)))
                let orders = (0..<8).map { "O-EWB-KILL-\($0)" }
                try await world.publish(try orders.map(Self.valuable))
                #expect(try await world.eventually { sf.calls.count >= 3 })
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let issuedBeforeRestart = sf.issued.count
                sf.behaveByDefault(.accept)
                process = try launch()
                #expect(try await ready())
                #expect(try await world.eventually(timeout: .seconds(90)) {
                    try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id LIKE 'O-EWB-KILL-%'") == orders.count
                })
                let issued = sf.issued
                #expect(issued.count == orders.count, "one SF waybill per parcel: \(issued)")
                for order in orders {
                    let tracking = try await world.count("""
                        SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = '\(order)' AND tracking_number = '\(issued["SHP-FO-\(order)-GZ1-P1"] ?? "none")'
                        """)
                    #expect(tracking == 1, "\(order) carries the number SF issued")
                    #expect(try await world.committedEvents(schema: world.logisticsSchema, key: order, type: ShipmentDispatched.eventType) == 1, "\(order) dispatched once")
                }
                let repeats = sf.calls.filter { $0.answered == "8016" }.count
                print("killed mid-booking: \(issuedBeforeRestart) waybills issued before the kill, \(repeats) repeated bookings answered 重复下单 and read back, \(issued.count) waybills for \(orders.count) parcels")
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
