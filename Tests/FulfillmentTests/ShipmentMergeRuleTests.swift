import Foundation
import OMSDomain
import OMSPlatform
import Testing
@testable import FulfillmentService

/// Which orders may share a box (合单): the same customer, recipient, phone, address and service,
/// paid before shipment; the key is a digest, not the address; spaces and case do not split a pair.
struct ShipmentMergeRuleTests {
    let vault = PIIVault.development

    func order(_ id: String, street: String = "世纪大道 100 号 8 楼", phone: String = "13912345678", method: PaymentMethod = .wechatPay,
               channel: OMSDomain.Channel = .web, service: String? = nil) -> Order {
        Order(orderID: id, channel: channel, channelOrderID: "W-\(id)", customer: Customer(customerKey: "web:u-5512", name: "李雷", phone: phone),
              deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: street, postalCode: "200120"),
              lines: [OrderLine(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1, unitPrice: .fen(29_900), category: "clothing")],
              shippingFee: .zero, payment: Payment(method: method, reference: "WX-\(id)", paidAmount: .fen(29_900), paidAt: nil), requestedService: service,
              placedAt: Date(timeIntervalSince1970: 1_794_000_000))
    }

    @Test("two orders to the same recipient and address share a key, whatever the spacing; the key names neither")
    func sameKey() throws {
        let first = try #require(ShipmentMerge.key(for: order("O-1"), vault: vault))
        #expect(ShipmentMerge.key(for: order("O-2", street: "世纪大道100号8楼"), vault: vault) == first)
        #expect(first.count == 64 && !first.contains("世纪") && !first.contains("1391234"))
    }

    @Test("another address, phone or shipping service is another key; cash on delivery and till sales are never merged")
    func differentOrNever() {
        let first = ShipmentMerge.key(for: order("O-1"), vault: vault)
        #expect(ShipmentMerge.key(for: order("O-2", street: "世纪大道 200 号"), vault: vault) != first)
        #expect(ShipmentMerge.key(for: order("O-3", phone: "13800001111"), vault: vault) != first)
        #expect(ShipmentMerge.key(for: order("O-4", service: "express"), vault: vault) != first)
        #expect(ShipmentMerge.key(for: order("O-5", method: .cashOnDelivery), vault: vault) == nil)
        #expect(ShipmentMerge.key(for: order("O-6", channel: .pos), vault: vault) == nil)
    }

    @Test("a member's line travels through the group's plan and back")
    func groupLines() {
        let line = ShipmentMerge.groupLine(member: 2, line: 7)
        #expect(ShipmentMerge.memberLine(line) == (2, 7) && line != ShipmentMerge.groupLine(member: 1, line: 7))
    }
}
