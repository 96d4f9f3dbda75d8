import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSOps
import OMSPlatform
import ServiceLifecycle
import Testing

/// Intake, risk, inventory, fulfillment (automatic) and logistics together on one world: a web order
/// flows from the channel to the customer's door, every stage visible in its status, and the unit
/// that sold out stops the next web order at intake.
@Suite("Order to door: intake -> risk -> inventory -> fulfillment -> logistics, and the sold-out check back at intake", .serialized)
struct OrderToDoorTests {
    @Test("a web order is allocated in the nearest warehouse, packed, dispatched and delivered; its sold-out SKU makes intake refuse the next one")
    func orderToDoor() async throws {
        try await withIntakeWorld { world in
            var (intakeService, intakeConfig) = try world.configuration(role: .all)
            intakeService.httpPort = TestPorts.block()
            let intake = try buildApplication(service: IntakeService(configuration: intakeConfig, hasher: intakeService.piiHasher), configuration: intakeService, logger: world.logger)
            let risk = try world.riskApplication()
            let group = ServiceGroup(configuration: .init(services: [intake, risk], logger: world.logger))
            let edge = EdgeClient(base: "http://127.0.0.1:\(intakeService.httpPort)", http: HTTPClient.shared)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Graceful shutdown on every path, never cancellation: cancelling a running pool mid-lease hangs.
                do {
                    try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment) { stages in
                        let http = stages.inventory!
                        try await LogisticsFlowTests.setUpOrigins(stages.logistics!)
                        #expect(try await world.eventually(timeout: .seconds(20)) { (try? await edge.send(.GET, "/health/ready"))?.status == 200 })
                        try await InventoryFixtures.setUpWarehouses(http)
                        // The example ships to Shanghai: SH1 has both SKUs, HZ1 only hoodies. One wine glass in all.
                        #expect(try await InventoryFixtures.receive(http, "CLO-HOOD-NVY-L", 10, into: "SH1").status == 201)
                        #expect(try await InventoryFixtures.receive(http, "CLO-HOOD-NVY-L", 10, into: "HZ1").status == 201)
                        #expect(try await InventoryFixtures.receive(http, "GLS-WINEGLASS-1", 1, into: "SH1").status == 201)

                        let first = try await edge.send(.POST, "/v1/channels/web/orders", body: try IntakeEndToEndTests.example("web"))
                        #expect(first.status == 202)
                        let id = first.json["orderId"] as? String ?? ""
                        var view: [String: Any] = [:]
                        // Automatic packing can move the order past "allocated" between two polls: wait for
                        // allocation or any later status, then check where it was allocated.
                        #expect(try await world.eventually(timeout: .seconds(60)) {
                            view = try await edge.send(.GET, "/v1/orders/\(id)").json
                            return ["allocated", "packed", "shipped"].contains(view["status"] as? String ?? "")
                        })
                        #expect((view["details"] as? [String: String])?["warehouseId"] == "SH1")

                        // Packed in SH1 (automatic), booked with a carrier, then the carrier delivers.
                        #expect(try await world.eventually(timeout: .seconds(60)) {
                            view = try await edge.send(.GET, "/v1/orders/\(id)").json
                            return view["status"] as? String == "shipped"
                        })
                        let details = view["details"] as? [String: String] ?? [:]
                        let (carrier, tracking) = (details["carrier"] ?? "", details["trackingNumber"] ?? "")
                        #expect(!carrier.isEmpty && !tracking.isEmpty && details["parcelCount"] != nil)
                        let delivered = LogisticsFlowTests.scan("E2E-1", tracking, "delivered", at: Date(), extra: #","signedBy":"快递柜""#)
                        #expect(try await LogisticsFlowTests.track(stages.logistics!, carrier: carrier, delivered).status == 200)
                        #expect(try await world.eventually {
                            view = try await edge.send(.GET, "/v1/orders/\(id)").json
                            return view["status"] as? String == "delivered"
                        })
                        let timeline = ((view["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["eventType"] as? String }
                        for stage in ["order.verified", "inventory.reserved", "fulfillment.packed", "shipment.dispatched", "shipment.delivered"] {
                            #expect(timeline.contains(stage), "timeline lacks \(stage)")
                        }
                        #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-HOOD-NVY-L' AND warehouse_code = 'SH1'") < 10 })

                        // omsctl trace: each stage's event, who produced it and which services took it in.
                        let trace = try await OrderTrace.load(orderID: id, client: world.client, schema: { "t_\(world.id)_\($0.rawValue)" }, logger: world.logger)
                        func step(_ type: String) -> OrderTrace.Step? { trace.steps.first { $0.eventType == type } }
                        func handlers(_ type: String) -> Set<String> { Set(step(type)?.handledBy.map(\.service) ?? []) }
                        #expect(step("order.received")?.producer == "intake" && handlers("order.received").contains("risk"))
                        #expect(handlers("inventory.reserved").isSuperset(of: ["fulfillment", "intake"]))
                        #expect(handlers("fulfillment.packed").isSuperset(of: ["logistics", "intake"]))
                        #expect(handlers("shipment.dispatched").isSuperset(of: ["inventory", "intake"]))
                        #expect(trace.table().contains("shipment.delivered"))

                        // The glass is gone everywhere: intake hears it and refuses the next web order for it.
                        #expect(try await world.eventually {
                            try await world.count("SELECT count(*) FROM \(world.schema).sku_availability WHERE sku = 'GLS-WINEGLASS-1' AND sold_out") == 1
                        })
                        var second = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
                        second["orderNumber"] = "W-SOLD-OUT-2"
                        let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: second)))
                        let secondID = reply.json["orderId"] as? String ?? ""
                        #expect(try await world.eventually {
                            view = try await edge.send(.GET, "/v1/orders/\(secondID)").json
                            return view["status"] as? String == "rejected"
                        })
                        #expect(((view["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["sold_out"])
                        #expect(try await world.ledgerDiscrepancies() == 0)
                    }
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
