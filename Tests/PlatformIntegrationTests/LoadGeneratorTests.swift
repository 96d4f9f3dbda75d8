import AsyncHTTPClient
import Foundation
import OMSDemo
import IntakeService
import OMSDomain
import OMSKafka
import OMSOps
import OMSPlatform
import ServiceLifecycle
import Testing

/// The load generator against real services: orders of every channel in its native format are
/// accepted and priced exactly as the workers price them (a wrong claimed payment would be held or
/// refused and never ship), the held share is held, and following the topics finds every shipping
/// order's dispatch with a latency for every stage.
@Suite("Load generator: every channel's orders flow to dispatch and are measured end to end", .serialized)
struct LoadGeneratorTests {
    @Test("30 orders of the promotion mix with 10 % held: every shipping order dispatched and measured per stage; the held ones held")
    func promotionMixEndToEnd() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            let risk = try world.riskApplication()
            try await world.running([intake, risk], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment) { stages in
                    let inventory = try #require(stages.inventory)
                    try await LogisticsFlowTests.setUpOrigins(try #require(stages.logistics))
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    let store = #"{"name":"上海南京路店","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store"}"#
                    #expect(try await inventory.send(.PUT, "/v1/inventory/warehouses/SH-0021", body: Array(store.utf8)).status == 200)
                    for code in ["SH1", "SH-0021"] {
                        let lines = DemoCatalog.products.map { #"{"sku":"\#($0.sku)","quantity":20}"# }.joined(separator: ",")
                        let receipt = #"{"receiptId":"LOAD-\#(code)","warehouseId":"\#(code)","lines":[\#(lines)]}"#
                        #expect(try await inventory.send(.POST, "/v1/inventory/receipts", body: Array(receipt.utf8)).status == 201)
                    }

                    let configuration = LoadRun.Configuration(
                        intakeURL: edge.base, run: "LG\(world.id.prefix(4))", orders: 30, concurrency: 8, mix: .promotionDay, zipfExponent: 1,
                        holdRate: 0.1, brokers: world.environment.brokers, namespace: TopicNamespace(prefix: world.prefix), settle: .seconds(180),
                        credentials: TestCredentials.credentials)
                    let summary = try await LoadRun(configuration: configuration, logger: world.logger) { _ in }.execute()

                    print("load generator: accepted \(summary.accepted) \(summary.acceptedByChannel), dispatched \(summary.dispatched ?? -1) of \(summary.expectedDispatches ?? -1), e2e p50 \(Int(summary.endToEnd?.p50 ?? 0)) ms p99 \(Int(summary.endToEnd?.p99 ?? 0)) ms")
                    #expect(summary.accepted == 30 && summary.errors == 0, "errors: \(summary.errorsByStatus)")
                    #expect(Set(summary.acceptedByChannel.keys) == Set(Channel.allCases.map(\.rawValue)), "\(summary.acceptedByChannel)")
                    let tills = summary.acceptedByChannel["pos"] ?? 0
                    #expect(summary.expectedDispatches == 30 - tills - 3)
                    #expect(summary.dispatched == summary.expectedDispatches)
                    for stage in ["intake", "risk", "inventory", "fulfillment", "logistics"] {
                        #expect(summary.stages?[stage]?.count == summary.dispatched, "stage \(stage) measured \(summary.stages?[stage]?.count ?? 0) times")
                    }
                    let endToEnd = try #require(summary.endToEnd)
                    #expect(endToEnd.p50 > 0 && endToEnd.p50 <= endToEnd.p99 && endToEnd.p99 <= endToEnd.max)
                    #expect((summary.timeline ?? []).reduce(0) { $0 + $1.dispatched } == summary.dispatched)
                    // A cash sale at the till carries no payment reference and is a sale all the same:
                    // verified, the store's on-hand goes down, and it counts (none of the tills' sales is rejected).
                    let cash = try DemoOrderFactory().order(channel: .pos, run: "CASH\(world.id.prefix(4))", number: 2)
                    #expect(String(decoding: cash.body, as: UTF8.self).contains(#""method":"cash""#))
                    let sku = try #require(DemoCatalog.products.first { product in String(decoding: cash.body, as: UTF8.self).contains(product.barcodes[0]) }?.sku)
                    func storeOnHand() async throws -> Int {
                        let stock = try await inventory.send(.GET, "/v1/inventory/stock/\(sku)").json["warehouses"] as? [[String: Any]] ?? []
                        return (stock.first { $0["warehouseId"] as? String == "SH-0021" }?["onHand"] as? NSNumber)?.intValue ?? -1
                    }
                    let before = try await storeOnHand()
                    #expect(try await edge.send(.POST, cash.path, body: cash.body).status == 202)
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.inventorySchema).orders WHERE status = 'sold_at_till' AND order_id IN (SELECT order_id FROM \(world.schema).orders WHERE channel_order_id LIKE 'SH-0021:%:\(cash.channelOrderID)')") == 1
                    }, "the cash sale never reached the store's stock")
                    #expect(try await storeOnHand() < before, "store on-hand \(before) did not go down")
                    #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE channel = 'pos' AND status = 'rejected'") == 0)
                    #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE channel = 'pos' AND status = 'verified'") == tills + 1)

                    // The generated hold share: phone cash on delivery over the limit, held by risk.
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'held' AND channel_order_id LIKE 'CS-%-H%'") == 3
                    })
                }
            }
        }
    }
}
