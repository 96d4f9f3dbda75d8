import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

@Suite("Complaint routing: the team that can fix the cause, and the SLA")
struct ComplaintRouterTests {
    let router = ComplaintRouter(slaSeconds: [.critical: 3_600, .high: 7_200, .medium: 86_400, .low: 172_800])
    let parcels = [
        ComplaintRouter.Parcel(warehouseId: "SH1", carrier: "SF-EXPRESS", skus: ["CLO-TEE-BLK-M"], delayed: false, exception: false),
        ComplaintRouter.Parcel(warehouseId: "GZ1", carrier: "ZTO-ECONOMY", skus: ["GLS-WINEGLASS-1"], delayed: true, exception: true),
    ]

    @Test("a late delivery goes to logistics against the carrier of the late parcel")
    func delay() {
        let routing = router.route(category: .deliveryDelay, severity: .medium, sku: nil, parcels: parcels)
        #expect(routing.team == .logistics && routing.carrier == "ZTO-ECONOMY" && routing.escalationLevel == 0)
    }

    @Test("damage goes to logistics after a carrier exception, else to the packing warehouse")
    func damage() {
        #expect(router.route(category: .damagedGoods, severity: .high, sku: "GLS-WINEGLASS-1", parcels: parcels).team == .logistics)
        let packing = router.route(category: .damagedGoods, severity: .high, sku: "CLO-TEE-BLK-M", parcels: parcels)
        #expect(packing.team == .warehouse && packing.warehouseId == "SH1")
    }

    @Test("wrong item to the shipping warehouse, quality to quality, service to customer service; critical starts with the team lead")
    func others() {
        #expect(router.route(category: .wrongItem, severity: .low, sku: "CLO-TEE-BLK-M", parcels: parcels).warehouseId == "SH1")
        #expect(router.route(category: .quality, severity: .low, sku: nil, parcels: parcels).team == .quality)
        let critical = router.route(category: .service, severity: .critical, sku: nil, parcels: [])
        #expect(critical.team == .customerService && critical.escalationLevel == 1 && ComplaintRouter.levels[critical.escalationLevel] == "team lead")
        let start = Date(timeIntervalSince1970: 0)
        #expect(router.due(.critical, from: start) == start.addingTimeInterval(3_600))
    }
}
