import Foundation
import OMSDomain
@testable import IntegrationsService
import OMSPlatform
import PostgresNIO
import Testing

/// Marketplace ship-back and the stock feed, by a real integrations process, from events on real
/// topics, to a local marketplace gateway that checks every signature and answers in the
/// platforms' shapes.
@Suite("Marketplaces: ship-back once per parcel, the stock feed coalesced", .serialized)
struct MarketplaceSyncTests {
    static let fast = ["OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS": "100", "OMS_MARKETPLACE_POLL_MILLISECONDS": "50", "OMS_WEBHOOK_POLL_MILLISECONDS": "50"]

    static func received(_ order: String, platform: String, tid: String, lines: [(sku: String, quantity: Int, oid: String?)]) -> EventEnvelope {
        let items = lines.map { line in
            #"{"lineNumber":1,"sku":"\#(line.sku)","quantity":\#(line.quantity),"unitPrice":1000,"allocatedDiscount":0,"isGift":false\#(line.oid.map { #","channelLineId":"\#($0)""# } ?? "")}"#
        }.joined(separator: ",")
        return WebhookDeliveryTests.event(OrderReceived.eventType, order: order, #"""
            {"order":{"orderID":"\#(order)","channel":"marketplace","channelOrderID":"\#(platform):\#(tid)","customer":{"customerKey":"ck","name":"王小明","phone":"13812345678"},"lines":[\#(items)]}}
            """#)
    }

    static func dispatched(_ order: String, shipment: String, carrier: String = "SF", tracking: String, lines: [(String, Int)], replaces: String? = nil, at: Date = Date()) throws -> EventEnvelope {
        try EventEnvelope.make(ShipmentDispatched(shipmentId: shipment, orderID: order, warehouseId: "HZ1", carrier: carrier, trackingNumber: tracking,
                                                  lines: lines.enumerated().map { ParcelLine(lineNumber: $0.offset + 1, sku: $0.element.0, quantity: $0.element.1) },
                                                  dispatchedAt: at, replacesShipmentId: replaces),
                               orderID: order, producer: .logistics)
    }

    static func withMarketplace(_ world: IntakeWorld, environment: [String: String] = [:], _ body: @Sendable (EdgeClient, MarketplaceEndpoint) async throws -> Void) async throws {
        let endpoint = MarketplaceEndpoint(port: TestPorts.block())
        let port = TestPorts.block()
        let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
        let settings = fast.merging(endpoint.environment) { _, new in new }.merging(environment) { _, new in new }
        try await world.running([endpoint.application(), try world.integrationsApplication(port: port, environment: settings)], readyAt: [client]) {
            try await body(client, endpoint)
        }
    }

    @Test("each parcel is told once, in the platform's shape and signature: whole, split by sub-order, replaced, on JD; throttling retried, a refusal failed and dead-lettered; a parcel before its order waits; a replay sends nothing")
    func shipBackOncePerParcel() async throws {
        try await withIntakeWorld { world in
            try await Self.withMarketplace(world) { client, endpoint in
                endpoint.behave("T-THROTTLED", .throttle(times: 2))
                endpoint.behave("T-REFUSED", .refuse)
                let early = Date().addingTimeInterval(-60)
                let orders: [(EventEnvelope, String)] = [
                    (Self.received("O-MP-WHOLE", platform: "tmall", tid: "T-WHOLE", lines: [("CLO-TEE", 2, "OID-W1")]), TopicCatalogue.orders),
                    (Self.received("O-MP-SPLIT", platform: "tmall", tid: "T-SPLIT", lines: [("CLO-TEE", 1, "OID-S1"), ("ELE-PHONE", 1, "OID-S2")]), TopicCatalogue.orders),
                    (Self.received("O-MP-LOST", platform: "taobao", tid: "T-LOST", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (Self.received("O-MP-JD", platform: "jd", tid: "JD-88001", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (Self.received("O-MP-THROTTLED", platform: "tmall", tid: "T-THROTTLED", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (Self.received("O-MP-REFUSED", platform: "tmall", tid: "T-REFUSED", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (WebhookDeliveryTests.received("O-MP-WEB", channel: "web"), TopicCatalogue.orders),
                ]
                try await world.publish(orders)
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.integrationsSchema).marketplace_orders") == 6 })
                let parcels: [(EventEnvelope, String)] = try [
                    (Self.dispatched("O-MP-WHOLE", shipment: "S-WHOLE", tracking: "SF1000000000001", lines: [("CLO-TEE", 2)]), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-SPLIT", shipment: "S-SPLIT-1", tracking: "SF1000000000002", lines: [("CLO-TEE", 1)], at: early), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-SPLIT", shipment: "S-SPLIT-2", carrier: "ZTO", tracking: "ZT10000000003", lines: [("ELE-PHONE", 1)]), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-LOST", shipment: "S-LOST-1", tracking: "SF1000000000004", lines: [("CLO-TEE", 1)], at: early), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-LOST", shipment: "S-LOST-2", tracking: "SF1000000000005", lines: [("CLO-TEE", 1)], replaces: "S-LOST-1"), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-JD", shipment: "S-JD", tracking: "SF1000000000006", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-THROTTLED", shipment: "S-THROTTLED", tracking: "SF1000000000007", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-REFUSED", shipment: "S-REFUSED", tracking: "SF1000000000008", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                    (Self.dispatched("O-MP-WEB", shipment: "S-WEB", tracking: "SF1000000000009", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                    // Dispatched before its order is known (a replay of the shipments topic alone).
                    (Self.dispatched("O-MP-LATE", shipment: "S-LATE", tracking: "SF1000000000010", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                ]
                try await world.publish(parcels)
                let accepted = { endpoint.calls.filter { $0.answered == "accepted" } }
                #expect(try await world.eventually { accepted().count == 7 })
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.integrationsSchema).marketplace_shipbacks WHERE status = 'failed'") == 1
                })
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).marketplace_shipbacks WHERE status = 'waiting_order'") == 1)
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).marketplace_shipbacks WHERE order_id = 'O-MP-WEB'") == 0)
                let everyCall = endpoint.calls
                #expect(everyCall.allSatisfy { $0.signatureValid })

                let offline = endpoint.calls("taobao.logistics.offline.send").filter { $0.answered == "accepted" }
                let whole = offline.filter { $0.own["tid"] == "T-WHOLE" }
                #expect(whole.count == 1 && whole.first?.own["out_sid"] == "SF1000000000001" && whole.first?.own["company_code"] == "SF" && whole.first?.own["is_split"] == nil)
                // The split order: each parcel names its sub-order, the earlier parcel first.
                let split = offline.filter { $0.own["tid"] == "T-SPLIT" }
                #expect(split.map { $0.own["sub_tid"] ?? "" } == ["OID-S1", "OID-S2"])
                #expect(split.allSatisfy { $0.own["is_split"] == "1" } && split.last?.own["company_code"] == "ZTO")
                // The lost parcel's replacement changes the tracking number.
                #expect(offline.filter { $0.own["tid"] == "T-LOST" }.map { $0.own["out_sid"] } == ["SF1000000000004"])
                let resent = endpoint.calls("taobao.logistics.consign.resend")
                #expect(resent.count == 1 && resent.first?.own["tid"] == "T-LOST" && resent.first?.own["out_sid"] == "SF1000000000005")
                // JD: its method, its carrier id, its parameters as JSON.
                let jd = endpoint.calls("jingdong.pop.order.shipment")
                #expect(jd.count == 1 && jd.first?.own["order_id"] == "JD-88001" && jd.first?.own["logistics_id"] == "467" && jd.first?.own["waybill"] == "SF1000000000006")
                // Throttled twice, then taken: three calls, one acceptance.
                let throttled = endpoint.calls.filter { $0.own["tid"] == "T-THROTTLED" }
                #expect(throttled.map(\.answered) == ["throttled", "throttled", "accepted"])

                // The refusal: failed with the platform's code, visible to ops, dead-lettered.
                let refused = try await client.send(.GET, "/v1/integrations/ship-backs/S-REFUSED")
                #expect(refused.json["status"] as? String == "failed", "\(refused.text)")
                #expect((refused.json["lastErrorCode"] as? String ?? "").contains("isv.logistics-offline-service-error:B04"))
                #expect(endpoint.calls.filter { $0.own["tid"] == "T-REFUSED" }.count == 1, "a business refusal is not retried by itself")
                #expect(try await world.committedEvents(schema: world.integrationsSchema, key: "O-MP-REFUSED", type: "integrations.ship-back-failed") == 1)
                let failedList = try await client.send(.GET, "/v1/integrations/ship-backs?status=failed")
                #expect((failedList.json["shipBacks"] as? [[String: Any]])?.map { $0["shipmentId"] as? String } == ["S-REFUSED"])
                // Ops retry it once the shop has fixed it on the platform.
                endpoint.behave("T-REFUSED", .accept)
                #expect(try await client.send(.POST, "/v1/integrations/ship-backs/S-REFUSED/retry").status == 202)
                #expect(try await world.eventually { accepted().count == 8 })
                #expect(try await client.send(.POST, "/v1/integrations/ship-backs/S-REFUSED/retry").status == 409)

                // The late parcel's order arrives: the parcel goes out.
                try await world.publish([(Self.received("O-MP-LATE", platform: "tmall", tid: "T-LATE", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders)])
                #expect(try await world.eventually { accepted().contains { $0.own["tid"] == "T-LATE" } })

                // A replay of every event (same ids) sends nothing new.
                let before = endpoint.calls.count
                try await world.publish(orders + parcels + [(Self.received("O-MP-MARK", platform: "tmall", tid: "T-MARK", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                                                            (try Self.dispatched("O-MP-MARK", shipment: "S-MARK", tracking: "SF1000000000011", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments)])
                #expect(try await world.eventually { accepted().contains { $0.own["tid"] == "T-MARK" } })
                try await Task.sleep(for: .milliseconds(500))
                #expect(endpoint.calls.count == before + 1)
                let shipBacks = try await client.send(.GET, "/v1/integrations/ship-backs?limit=100")
                #expect((shipBacks.json["shipBacks"] as? [[String: Any]])?.count == 10)
                #expect(try await client.send(.GET, "/v1/integrations/ship-backs?status=lost").status == 422)

                // A parcel of a marketplace order that cannot be read goes to the dead-letter topic
                // with the reason; the consumer goes on (the next parcel is told).
                try await world.publish([
                    (WebhookDeliveryTests.event(ShipmentDispatched.eventType, order: "O-MP-WHOLE", #"{"orderID":"O-MP-WHOLE","trackingNumber":"SF1"}"#), TopicCatalogue.shipments),
                    (Self.received("O-MP-AFTER", platform: "tmall", tid: "T-AFTER", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (try Self.dispatched("O-MP-AFTER", shipment: "S-AFTER", tracking: "SF1000000000013", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                ])
                #expect(try await world.eventually { accepted().contains { $0.own["tid"] == "T-AFTER" } })
                // Dead letters leave through the service's outbox, the original's headers kept.
                #expect(try await world.eventually {
                    try await world.committedEvents(schema: world.integrationsSchema, key: "O-MP-WHOLE", type: "undecodable shipment.dispatched") == 1
                })
                #expect(try await world.count("SELECT count(*) FROM \(world.integrationsSchema).marketplace_shipbacks WHERE order_id = 'O-MP-WHOLE'") == 1)

                // A parcel whose order never arrives is forgotten after the retention period, nothing else.
                let schema = world.integrationsSchema
                try await world.publish([(try Self.dispatched("O-MP-NEVER", shipment: "S-NEVER", tracking: "SF1000000000012", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(schema).marketplace_shipbacks WHERE shipment_id = 'S-NEVER'") == 1 })
                _ = try await world.count("WITH u AS (UPDATE \(schema).marketplace_shipbacks SET created_at = now() - interval '31 days' WHERE shipment_id = 'S-NEVER' RETURNING 1) SELECT count(*) FROM u")
                let forgotten = try await world.client.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"), logger: world.logger)
                    let forgotten = try await ShipBackStore.pruneWaiting(olderThanDays: 30, connection: connection, logger: world.logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(world.schema)"), logger: world.logger)
                    return forgotten
                }
                #expect(forgotten == 1)
                #expect(try await world.count("SELECT count(*) FROM \(schema).marketplace_shipbacks") == 11)
            }
        }
    }

    @Test("a ship-back whose answer was lost and which the platform then refuses as already shipped is sent, when the trade shows shipped; a refusal without a lost answer is not")
    func lostAnswerThenAlreadyShipped() async throws {
        try await withIntakeWorld { world in
            try await Self.withMarketplace(world, environment: ["OMS_MARKETPLACE_TIMEOUT_SECONDS": "1"]) { client, endpoint in
                endpoint.behave("T-LOST-ANSWER", .answerLate(.milliseconds(1_500)))
                try await world.publish([
                    (Self.received("O-MP-LOST-ANSWER", platform: "tmall", tid: "T-LOST-ANSWER", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (try Self.dispatched("O-MP-LOST-ANSWER", shipment: "S-LOST-ANSWER", tracking: "SF1000000000020", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                ])
                #expect(try await world.eventually {
                    try await client.send(.GET, "/v1/integrations/ship-backs/S-LOST-ANSWER").json["status"] as? String == "sent"
                })
                // The late answer is recorded when it is finally written, after the caller gave up.
                #expect(try await world.eventually { endpoint.calls.contains { $0.answered == "accepted-late" } })
                let calls = endpoint.calls.filter { $0.own["tid"] == "T-LOST-ANSWER" }
                #expect(calls.map(\.answered).filter { $0 != "accepted-late" } == ["already-shipped", "status"] && calls.count == 3, "\(calls.map(\.answered))")
                #expect(calls.allSatisfy { $0.signatureValid })
                #expect(try await world.committedEvents(schema: world.integrationsSchema, key: "O-MP-LOST-ANSWER", type: "integrations.ship-back-failed") == 0)
            }
        }
    }

    @Test("integrations SIGKILLed during a ship-back call that went through: after the restart the platform refuses the repeat as shipped, the trade says so, the parcel counts as sent once")
    func killedDuringShipBack() async throws {
        try await withIntakeWorld { world in
            let endpoint = MarketplaceEndpoint(port: TestPorts.block())
            let port = TestPorts.block()
            let client = EdgeClient(base: "http://127.0.0.1:\(port)", http: EdgeClient.wide)
            @Sendable func launch() throws -> Process {
                try ChildService.launch("oms-integrations", world: world, schema: world.integrationsSchema, port: port,
                                        environment: Self.fast.merging(endpoint.environment) { $1 }.merging(["OMS_MARKETPLACE_TIMEOUT_SECONDS": "5"]) { $1 })
            }
            try await world.running([endpoint.application()]) {
                var process = try launch()
                #expect(try await ChildService.ready(client, world: world))
                endpoint.behave("T-KILLED", .answerLate(.seconds(4)))
                try await world.publish([
                    (Self.received("O-MP-KILLED", platform: "tmall", tid: "T-KILLED", lines: [("CLO-TEE", 1, nil)]), TopicCatalogue.orders),
                    (try Self.dispatched("O-MP-KILLED", shipment: "S-KILLED", tracking: "SF1000000000030", lines: [("CLO-TEE", 1)]), TopicCatalogue.shipments),
                ])
                #expect(try await world.eventually { endpoint.started.contains("taobao.logistics.offline.send T-KILLED") })
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                process = try launch()
                #expect(try await ChildService.ready(client, world: world))
                #expect(try await world.eventually(timeout: .seconds(90)) {
                    try await client.send(.GET, "/v1/integrations/ship-backs/S-KILLED").json["status"] as? String == "sent"
                })
                let tried = endpoint.started.filter { $0.hasSuffix("T-KILLED") }
                #expect(tried == ["taobao.logistics.offline.send T-KILLED", "taobao.logistics.offline.send T-KILLED", "taobao.trade.get T-KILLED"], "\(tried)")
                #expect(try await world.committedEvents(schema: world.integrationsSchema, key: "O-MP-KILLED", type: "integrations.ship-back-failed") == 0)
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    @Test("10,000 availability changes of one SKU reach each platform as a few pushes, never an older value after a newer one, ending at the final value; a full sync sends it again")
    func stockFeedCoalesces() async throws {
        try await withIntakeWorld { world in
            try await Self.withMarketplace(world, environment: ["OMS_STOCK_FEED_INTERVAL_MILLISECONDS": "500"]) { client, endpoint in
                let listing = try await client.send(.PUT, "/v1/integrations/stock-listings/tmall/SKU-FLASH", body: Array(#"{"itemId":"600100200300","platformSkuId":"4200001"}"#.utf8))
                #expect(listing.status == 200, "\(listing.text)")
                #expect(try await client.send(.PUT, "/v1/integrations/stock-listings/jd/SKU-FLASH", body: Array(#"{"itemId":"100012345","platformSkuId":"100012345001"}"#.utf8)).status == 200)
                #expect(try await client.send(.PUT, "/v1/integrations/stock-listings/amazon/SKU-FLASH", body: Array(#"{"itemId":"1"}"#.utf8)).status == 422)
                #expect(try await client.send(.PUT, "/v1/integrations/stock-listings/tmall/SKU-FLASH", body: Array(#"{"itemId":"../../etc"}"#.utf8)).status == 422)

                let start = Date()
                let changes = (0..<10_000).map { n in
                    try! EventEnvelope.make(AvailabilityChanged(sku: "SKU-FLASH", availableToSell: 9_999 - n, soldOut: n == 9_999, changedAt: start.addingTimeInterval(Double(n) / 1_000)),
                                            orderID: AvailabilityChanged.key(sku: "SKU-FLASH"), producer: .inventory)
                }
                for chunk in stride(from: 0, to: changes.count, by: 1_000) {
                    try await world.publish(changes[chunk..<min(chunk + 1_000, changes.count)].map { ($0, TopicCatalogue.inventoryEvents) })
                }
                let tmall = { endpoint.calls("taobao.item.quantity.update").filter { $0.answered == "accepted" } }
                let jd = { endpoint.calls("jingdong.stock.write.updateSkuStock").filter { $0.answered == "accepted" } }
                #expect(try await world.eventually { tmall().last?.own["quantity"] == "0" && jd().last?.own["stockNum"] == "0" })
                // An older change arriving late is ignored.
                try await world.publish([(try EventEnvelope.make(AvailabilityChanged(sku: "SKU-FLASH", availableToSell: 500, soldOut: false, changedAt: start),
                                                                 orderID: AvailabilityChanged.key(sku: "SKU-FLASH"), producer: .inventory), TopicCatalogue.inventoryEvents)])
                try await Task.sleep(for: .seconds(2))
                for (name, pushes, field) in [("tmall", tmall(), "quantity"), ("jd", jd(), "stockNum")] {
                    let quantities = pushes.map { Int($0.own[field] ?? "") ?? -1 }
                    print("stock feed \(name): 10,000 changes -> \(quantities.count) pushes \(quantities)")
                    #expect(quantities.count <= 40, "\(name): \(quantities.count) pushes")
                    #expect(zip(quantities, quantities.dropFirst()).allSatisfy { $0 > $1 }, "\(name) went back: \(quantities)")
                    #expect(quantities.last == 0)
                }
                #expect(tmall().allSatisfy { $0.own["num_iid"] == "600100200300" && $0.own["sku_id"] == "4200001" && $0.own["type"] == "1" })
                #expect(jd().allSatisfy { $0.own["skuId"] == "100012345001" })

                // A full sync sends the latest value again.
                let before = tmall().count
                #expect(try await client.send(.POST, "/v1/integrations/stock-listings/sync").status == 202)
                #expect(try await world.eventually { tmall().count == before + 1 })
                #expect(tmall().last?.own["quantity"] == "0")
                let listed = try await client.send(.GET, "/v1/integrations/stock-listings?platform=tmall")
                let row = (listed.json["listings"] as? [[String: Any]])?.first
                #expect(row?["sentQuantity"] as? Int == 0 && row?["available"] as? Int == 0, "\(listed.text)")
                #expect(try await client.send(.POST, "/v1/integrations/stock-listings/jd/SKU-FLASH/unlist").status == 200)
                #expect(try await client.send(.POST, "/v1/integrations/stock-listings/jd/SKU-FLASH/unlist").status == 404)
            }
        }
    }
}
