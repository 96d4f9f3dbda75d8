import Foundation
import OMSDomain
import OMSPlatform
import Testing

@Suite("Personal data sealed at rest (AES-GCM key ring)")
struct PIIVaultTests {
    static func key(_ byte: UInt8) -> String { Data(repeating: byte, count: 32).base64EncodedString() }

    static let order = Order(
        orderID: "O-PII-1", channel: .web, channelOrderID: "W1",
        customer: Customer(customerKey: "c1", name: "张三", phone: "13812345678", email: "zs@example.com"),
        deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 100 号 8 楼"),
        lines: [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(9_900))],
        shippingFee: .zero, payment: Payment(method: .card, reference: nil, paidAmount: .fen(9_900), paidAt: nil),
        placedAt: Date(timeIntervalSince1970: 0))

    @Test("an order's name, phone, e-mail and street are sealed and open again; region and lines stay readable")
    func roundTrip() throws {
        let vault = try PIIVault(parsing: "k2:\(Self.key(2))")
        let sealed = vault.seal(Self.order)
        for value in [sealed.customer.name, sealed.customer.phone, sealed.customer.email ?? "", sealed.deliveryAddress?.street ?? ""] {
            #expect(PIIVault.isSealed(value) && value.hasPrefix("pii:v1:k2:"))
        }
        let text = String(decoding: try EventCoding.encode(sealed), as: UTF8.self)
        #expect(!text.contains("13812345678") && !text.contains("张三") && !text.contains("世纪大道") && !text.contains("zs@example"))
        #expect(sealed.deliveryAddress?.city == "上海市" && sealed.lines == Self.order.lines && sealed.customer.customerKey == "c1")
        #expect(try vault.open(sealed) == Self.order)
        #expect(vault.seal(sealed) == sealed, "sealing twice changes nothing")
        #expect(try vault.open(Self.order) == Self.order, "rows written before encryption open as they are")
        #expect(vault.seal(Self.order).customer.phone != sealed.customer.phone, "a fresh nonce every time")
    }

    @Test("rotation: the first key seals, every key opens; an unknown key, another order or a changed byte fail")
    func rotationAndTampering() throws {
        let old = try PIIVault(parsing: "k1:\(Self.key(1))")
        let rotated = try PIIVault(parsing: "k2:\(Self.key(2)),k1:\(Self.key(1))")
        let sealedOld = old.seal(Self.order)
        #expect(try rotated.open(sealedOld) == Self.order)
        #expect(rotated.seal(Self.order).customer.phone.hasPrefix("pii:v1:k2:"))
        #expect(throws: PIIVaultError.self) { try old.open(rotated.seal(Self.order)) }
        // Moved to another order: the authenticated data no longer matches.
        var moved = sealedOld
        moved.orderID = "O-PII-2"
        #expect(throws: PIIVaultError.self) { try old.open(moved) }
        // Swapped fields within the order.
        var swapped = sealedOld
        swapped.customer.name = sealedOld.customer.phone
        #expect(throws: PIIVaultError.self) { try old.open(swapped) }
        // One character of the ciphertext changed.
        var tampered = sealedOld
        var phone = Array(tampered.customer.phone)
        phone[phone.count - 6] = phone[phone.count - 6] == "A" ? "B" : "A"
        tampered.customer.phone = String(phone)
        #expect(throws: PIIVaultError.self) { try old.open(tampered) }
    }

    @Test("malformed key rings are refused", arguments: ["", "k1", "k1:short", "k1:\(key(1)),k1:\(key(2))", "bad id:\(key(1))", "k1:\(Data(count: 16).base64EncodedString())"])
    func malformed(text: String) {
        #expect(throws: ConfigurationError.self) { try PIIVault(parsing: text) }
    }

    @Test("a customer who types something that looks sealed gets it sealed and back, not an order that never opens again")
    func fakeSealedPrefix() throws {
        let vault = try PIIVault(parsing: "k2:\(Self.key(2))")
        var order = Self.order
        order.customer.name = "pii:v1:k2:AAAA"
        order.deliveryAddress?.street = "pii:v1:nokey:" + Self.key(9)
        let sealed = vault.seal(order)
        #expect(sealed.customer.name != order.customer.name && sealed.deliveryAddress?.street != order.deliveryAddress?.street)
        #expect(try vault.open(sealed) == order)
        #expect(vault.seal(sealed) == sealed, "a value this ring sealed is still not sealed twice")
    }
}
