import Foundation
import OMSDomain
import OMSOps
import OMSPlatform
import Testing

/// The ops recovery drill on real services: a stage fails for a few hundred orders, ops see it in
/// `status` and the dead letters, fix the cause and redrive; every order completes once and the
/// suite drains.
@Suite("Recovery drill: a failed stage piles up dead letters, is fixed and redriven; nothing lost, nothing doubled", .serialized)
struct RecoveryDrillTests {
    @Test("200 orders from a warehouse logistics does not know: all dead-lettered, then redriven after the fix, one shipment each, status drained")
    func drill() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment) { clients in
                let (inventory, logistics) = (try #require(clients.inventory), try #require(clients.logistics))
                try await InventoryFixtures.setUpWarehouses(inventory)
                // The fault: HZ1 ships, but nobody told logistics where it is.
                for (code, province, city) in [("SH1", "上海市", "上海市"), ("GZ1", "广东省", "广州市")] {
                    let origin = #"{"name":"\#(code) DC","province":"\#(province)","city":"\#(city)","address":"物流园 1 号"}"#
                    #expect(try await logistics.send(.PUT, "/v1/logistics/warehouses/\(code)", body: Array(origin.utf8)).status == 200)
                }
                #expect(try await InventoryFixtures.receive(inventory, "HOM-TOWEL-1", 300, into: "HZ1").status == 201)
                let count = 200
                try await world.publish(try (0..<count).map { try InventoryFixtures.verified(FulfillmentFixtures.order("O-DRILL-\($0)", [("HOM-TOWEL-1", 1)])) })

                let namespace = TopicNamespace(prefix: world.prefix)
                let desk = DeadLetterDesk(brokers: world.environment.brokers, namespace: namespace, logger: world.logger)
                let stages: [ServiceName] = [.inventory, .fulfillment, .logistics]
                let ports = [ServiceName.inventory: inventory.base, .fulfillment: clients.fulfillment!.base, .logistics: logistics.base]
                func status() async -> StatusReport {
                    await StatusReport.gather(services: stages, admin: world.admin, namespace: namespace, desk: desk, database: world.client,
                                              schema: { "t_\(world.id)_\($0.rawValue)" }, healthURL: { "\(ports[$0]!)/health/ready" }, logger: world.logger)
                }
                var piled: StatusReport?
                #expect(try await world.eventually(timeout: .seconds(120)) {
                    piled = await status()
                    return piled?.services.last?.openDeadLetters == count
                })
                #expect(piled?.isDrained == false && piled?.services.allSatisfy { $0.health == "ready" } == true)
                #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments") == 0)

                // The fix, then the redrive of exactly those entries.
                let origin = #"{"name":"HZ1 DC","province":"浙江省","city":"杭州市","address":"物流园 1 号"}"#
                #expect(try await logistics.send(.PUT, "/v1/logistics/warehouses/HZ1", body: Array(origin.utf8)).status == 200)
                let started = ContinuousClock.now
                let redrive = try await desk.redrive(service: .logistics) { $0.reason.contains("HZ1") }
                #expect(redrive.redriven.count == count)
                #expect(try await world.eventually(timeout: .seconds(120)) { try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments") == count })
                let recovered = ContinuousClock.now - started
                #expect(try await world.count("SELECT count(DISTINCT order_id) FROM \(world.logisticsSchema).shipments") == count)
                // Dispatches reach inventory: every reservation shipped once, stock conserved.
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'HOM-TOWEL-1' AND warehouse_code = 'HZ1'") == 100 })
                #expect(try await world.ledgerDiscrepancies() == 0)
                var drained: StatusReport?
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    drained = await status()
                    return drained?.isDrained == true
                })
                print("recovery drill: \(count) dead-lettered parcels redriven and shipped in \(recovered)")
            }
        }
    }
}
