import AsyncHTTPClient
import Foundation
import Hummingbird
import IntakeService
import OMSDomain
import OMSPlatform
import PostgresNIO
import Testing

/// Amending an order after it was placed (issue 29, part 1: the delivery details and the shipping
/// service): customer service corrects the recipient and address and the channel asks for express
/// before packing, and the waybill carries the corrections; after packing intake answers 409, and a correction that crosses the packing on its way is refused by
/// logistics, visibly, on the order's timeline. Real services, PostgreSQL and broker.
@Suite("Order amendments: recipient and address until packed, through intake, logistics and the waybill", .serialized)
struct OrderAmendmentTests {
    static let beijing = #"{"province":"北京市","city":"北京市","district":"朝阳区","street":"建国路 1 号 2 单元 301","postalCode":"100020"}"#

    /// The web example sent at checkout, before its payment.
    static func unpaidWebOrder(number: String) throws -> (body: [UInt8], amount: Int64) {
        var json = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
        json["orderNumber"] = number
        var payment = json["payment"] as! [String: Any]
        payment["status"] = "pending"
        payment.removeValue(forKey: "reference")
        payment.removeValue(forKey: "paidAt")
        json["payment"] = payment
        return (Array(try JSONSerialization.data(withJSONObject: json)), (payment["amountFen"] as! NSNumber).int64Value)
    }

    @Test("an address and recipient corrected before packing label the parcel; after packing 409; one crossing the packing is refused by logistics on the timeline; bad input names the field")
    func amendUntilPacked() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment) { stages in
                    try await LogisticsFlowTests.setUpOrigins(stages.logistics!)
                    try await InventoryFixtures.setUpWarehouses(stages.inventory!)
                    #expect(try await InventoryFixtures.receive(stages.inventory!, "CLO-HOOD-NVY-L", 10, into: "SH1").status == 201)
                    #expect(try await InventoryFixtures.receive(stages.inventory!, "GLS-WINEGLASS-1", 10, into: "SH1").status == 201)

                    // An order sent before its payment: allocated and waiting at fulfillment, not packed.
                    let unpaid = try Self.unpaidWebOrder(number: "W-AMEND-\(world.id)")
                    let placed = try await edge.send(.POST, "/v1/channels/web/orders", body: unpaid.body)
                    #expect(placed.status == 202, "\(placed.text)")
                    let id = placed.json["orderId"] as? String ?? ""
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).fulfillment_orders WHERE order_id = '\(id)' AND status = 'awaiting_payment'") == 1
                    })
                    let path = "/v1/orders/\(id)/amendments"

                    // Bad input names the field; another channel may not touch it; an unknown order is 404.
                    let empty = try await edge.send(.POST, path, body: Array("{}".utf8))
                    #expect(empty.status == 422 && empty.text.contains("deliveryAddress"), "\(empty.text)")
                    let badPhone = try await edge.send(.POST, path, body: Array(#"{"recipientPhone":"12345"}"#.utf8))
                    #expect(badPhone.status == 422 && badPhone.text.contains("recipientPhone"), "\(badPhone.text)")
                    let badAddress = try await edge.send(.POST, path, body: Array(#"{"deliveryAddress":{"province":"","city":"北京市","district":"朝阳区","street":"x","postalCode":"1000"}}"#.utf8))
                    #expect(badAddress.status == 422 && badAddress.text.contains("deliveryAddress.province") && badAddress.text.contains("deliveryAddress.postalCode"), "\(badAddress.text)")
                    let malformed = try await edge.send(.POST, path, body: Array(#"{"deliveryAddress":"北京"}"#.utf8))
                    #expect(malformed.status == 400 && malformed.text.contains("deliveryAddress"), "\(malformed.text)")
                    let pos = try await edge.send(.POST, path, body: Array(#"{"recipientName":"某人"}"#.utf8),
                                                  headers: ["Authorization": "Bearer \(TestCredentials.token(.channel, channel: "pos"))"])
                    #expect(pos.status == 403, "\(pos.text)")
                    #expect(try await edge.send(.POST, "/v1/orders/OMS-NO-SUCH/amendments", body: Array(#"{"recipientName":"某人"}"#.utf8)).status == 404)

                    // Customer service corrects the recipient and the address; the web channel may amend its own order too.
                    let amended = try await edge.send(.POST, path, body: Array(#"{"recipientName":"韩梅梅","recipientPhone":"13700001111","deliveryAddress":\#(Self.beijing)}"#.utf8),
                                                      headers: ["Authorization": "Bearer \(TestCredentials.token(.customerService))"])
                    #expect(amended.status == 200, "\(amended.text)")
                    #expect(amended.json["deliveryRegion"] as? String == "北京市 北京市" && (amended.json["customerPhone"] as? String)?.hasPrefix("137") == true, "\(amended.text)")
                    #expect(((amended.json["timeline"] as? [[String: Any]]) ?? []).contains { $0["eventType"] as? String == OrderAmended.eventType })
                    let badService = try await edge.send(.POST, path, body: Array(#"{"shippingService":"overnight"}"#.utf8))
                    #expect(badService.status == 422 && badService.text.contains("shippingService"), "\(badService.text)")
                    let own = try await edge.send(.POST, path, body: Array(#"{"recipientName":"韩梅梅","shippingService":"express"}"#.utf8),
                                                  headers: ["Authorization": "Bearer \(TestCredentials.token(.channel, channel: "web"))"])
                    #expect(own.status == 200, "\(own.text)")
                    // Logistics keeps it (sealed) for the waybill.
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.logisticsSchema).order_amendments WHERE order_id = '\(id)' AND sealed_amendment LIKE 'pii:v1:%'") == 1
                    })

                    // Paid: packed at once (automatic), booked with the corrected details.
                    let paid = try await edge.send(.POST, "/v1/channels/web/orders/W-AMEND-\(world.id)/payment",
                                                   body: Array(#"{"status":"paid","reference":"WX-AM-1","amountFen":\#(unpaid.amount),"paidAt":"2026-12-07T10:00:00+08:00"}"#.utf8))
                    #expect(paid.status == 200, "\(paid.text)")
                    var view: [String: Any] = [:]
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(id)").json
                        return view["status"] as? String == "shipped"
                    }, "not shipped: \(view["status"] ?? "-")")
                    let waybills = try await world.strings("""
                        SELECT tracking_number, waybill->'recipient'->>'province', waybill->'recipient'->>'city', waybill->'recipient'->>'name', waybill->'recipient'->>'address',
                               array_to_string(selection_reasons, ',')
                        FROM \(world.logisticsSchema).shipments WHERE order_id = '\(id)'
                        """)
                    #expect(!waybills.isEmpty)
                    // The channel asked for express after checkout: every parcel is booked express.
                    #expect(waybills.allSatisfy { $0[5].contains("customer_requested_express") }, "\(waybills.map { $0[5] })")
                    let vault = try PIIVault(parsing: IntakeWorld.intakeKeyRing)
                    for waybill in waybills {
                        #expect(waybill[1] == "北京市" && waybill[2] == "北京市", "\(waybill)")
                        #expect(try vault.open(waybill[3], context: "\(waybill[0])|recipient.name") == "韩梅梅")
                        #expect(try vault.open(waybill[4], context: "\(waybill[0])|recipient.address").contains("建国路 1 号"))
                    }

                    // Too late at intake: 409 with the reason.
                    let late = try await edge.send(.POST, path, body: Array(#"{"recipientName":"李雷"}"#.utf8))
                    #expect(late.status == 409 && late.text.contains("already_"), "\(late.text)")

                    // One that crossed the packing (intake still showed it unpacked): logistics refuses it, visibly.
                    let crossing = try EventEnvelope.make(OrderAmended(orderID: id, recipientName: "李雷", recipientPhone: nil, deliveryAddress: nil,
                                                                       amendedBy: "customerService:cs-1", amendedAt: Date()), orderID: id, producer: .intake)
                    try await world.publish([(crossing, TopicCatalogue.orders)])
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(id)").json
                        return ((view["timeline"] as? [[String: Any]]) ?? []).contains {
                            $0["eventType"] as? String == ShipmentAmendmentRefused.eventType && ($0["detail"] as? [String: String])?["reasonCode"] == "already_packed"
                        }
                    }, "no shipment.amendment-refused on the timeline")
                    #expect(view["status"] as? String == "shipped")
                    #expect(try await world.count("SELECT count(*) FROM \(world.logisticsSchema).order_amendments WHERE order_id = '\(id)'") == 1)
                }
            }
        }
    }

    static let guangzhou = #"{"province":"广东省","city":"广州市","district":"天河区","street":"体育西路 1 号","postalCode":"510620"}"#

    @Test("a new address re-sources what no warehouse holds yet: a waiting order's hoodie moves to the warehouse in the new city; the rest follows once it may ship")
    func newAddressReSources() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_WAVE_WINDOW_SECONDS": "3600"]) { stages in
                    let inventory = try #require(stages.inventory)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 1, into: "SH1").status == 201)
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 1, into: "GZ1").status == 201)
                    #expect(try await InventoryFixtures.receive(inventory, "GLS-WINEGLASS-1", 1, into: "HZ1").status == 201)

                    // To Shanghai: the hoodie from SH1, one glass from HZ1, the other backordered; the order waits whole.
                    let order = try await LineCancellationTests.place("W-RESRC-\(world.id)", [("CLO-HOOD-NVY-L", 1), ("GLS-WINEGLASS-1", 2)], until: "backordered",
                                                                      edge: edge, world: world)
                    let hoodieAt = "SELECT count(*) FROM inv.reservations WHERE order_id = '\(order.id)' AND sku = 'CLO-HOOD-NVY-L' AND status = 'active' AND warehouse_code = "
                    #expect(try await world.eventually { try await world.inventoryCount(hoodieAt + "'SH1'") == 1 })

                    // The customer moves to Guangzhou: the hoodie is reserved in GZ1 instead, SH1's is free again.
                    let amended = try await edge.send(.POST, "/v1/orders/\(order.id)/amendments", body: Array(#"{"deliveryAddress":\#(Self.guangzhou)}"#.utf8))
                    #expect(amended.status == 200, "\(amended.text)")
                    #expect(try await world.eventually { try await world.inventoryCount(hoodieAt + "'GZ1'") == 1 }, "the hoodie was not re-sourced to GZ1")
                    #expect(try await world.inventoryCount(hoodieAt + "'SH1'") == 0)
                    #expect(try await world.inventoryCount("SELECT reserved FROM inv.stock WHERE sku = 'CLO-HOOD-NVY-L' AND warehouse_code = 'SH1'") == 0)
                    #expect(try await world.inventoryCount("SELECT coalesce(sum(open_quantity), 0) FROM inv.backorders WHERE order_id = '\(order.id)' AND status = 'open'") == 1)
                    #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id = '\(order.id)' AND announced") == 0)

                    // The backordered glass is cancelled: the order ships from GZ1 and HZ1.
                    let cancelled = try await edge.send(.POST, "/v1/orders/\(order.id)/line-cancellations", body: Array(#"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"只要一个"}"#.utf8))
                    #expect(cancelled.status == 202, "\(cancelled.text)")
                    #expect(try await world.eventually {
                        try await world.strings("SELECT warehouse_code FROM \(world.fulfillmentSchema).fulfillment_orders WHERE order_id = '\(order.id)' ORDER BY 1").map { $0[0] } == ["GZ1", "HZ1"]
                    }, "the order's work did not go to GZ1 and HZ1")
                }
            }
        }
    }
}
