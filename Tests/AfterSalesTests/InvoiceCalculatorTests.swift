import Foundation
import OMSDomain
import Testing
@testable import AfterSalesService

/// What a 发票 lists: VAT inside tax-inclusive prices, rounded to the fen; a blue invoice after an
/// earlier refund; a red-letter one for a refund that took a 满减 discount back.
@Suite("Invoices: VAT per line, blue after refunds, red-letter totals")
struct InvoiceCalculatorTests {
    /// The hoodie-and-jeans order: 满500减80 split 37.13 + 42.87, 10.00 shipping, 488.00 paid; jeans at 13 %, hoodie at 9 % for the test.
    static var order: Order {
        let order = Order(orderID: "O-INV-1", channel: .web, channelOrderID: "W-1",
                          customer: Customer(customerKey: "c", name: "张三", phone: "13800138000", email: nil, isMember: false),
                          deliveryAddress: nil,
                          lines: [OrderLine(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1, unitPrice: .fen(25_900), allocatedDiscount: .fen(3_713), category: "clothing", taxRateBasisPoints: 900),
                                  OrderLine(lineNumber: 2, sku: "CLO-JEAN-BLK-M", quantity: 1, unitPrice: .fen(29_900), allocatedDiscount: .fen(4_287), category: "clothing")],
                          shippingFee: .fen(1_000), payment: Payment(method: .alipay, reference: "T1", paidAmount: .fen(48_800), paidAt: Date()), placedAt: Date(),
                          invoice: InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43"))
        return order
    }

    /// The hoodie returned: 221.87 back less the 80.00 the jeans alone no longer earn = 141.87.
    static let hoodieReturned = RefundIssued(refundId: "RF-R1", returnId: "R1", orderID: "O-INV-1", amount: .fen(14_187),
                                             lines: [RefundLine(lineNumber: 1, sku: "CLO-HOOD-NVY-L", quantity: 1, amount: .fen(22_187))],
                                             clawbacks: [PromotionClawback(promotionID: "P-500-80", amount: .fen(8_000))], shippingFeeRefunded: .zero,
                                             withheldUnits: 0, paymentMethod: .alipay, issuedAt: Date())

    @Test("VAT inside a tax-inclusive amount, half away from zero: 198.00 at 13 % holds 22.78; 58.00 at 9 % holds 4.79; negative mirrors positive")
    func vatInsideThePrice() {
        #expect(InvoiceLine.tax(on: .fen(19_800), rateBasisPoints: 1_300) == .fen(2_278))
        #expect(InvoiceLine.tax(on: .fen(5_800), rateBasisPoints: 900) == .fen(479))
        #expect(InvoiceLine.tax(on: .fen(-19_800), rateBasisPoints: 1_300) == .fen(-2_278))
        #expect(InvoiceLine.tax(on: .fen(113), rateBasisPoints: 1_300) == .fen(13))
        #expect(InvoiceLine.tax(on: .fen(5_000), rateBasisPoints: 0) == .zero)
        let line = InvoiceLine(lineNumber: 1, description: "*服装*T", sku: "T", quantity: 2, amount: .fen(19_800), taxRateBasisPoints: 1_300)
        #expect(line.netAmount + line.taxAmount == line.amount && line.netAmount == .fen(17_522))
    }

    @Test("blue: each line at what was paid, at its own rate (13 % when the line has none), shipping at the goods' rate; the total is what was paid")
    func blueAsPaid() {
        let lines = InvoiceCalculator.blueLines(order: Self.order, refundedBefore: [])
        #expect(lines.map(\.amount) == [.fen(22_187), .fen(25_613), .fen(1_000)])
        #expect(lines.map(\.taxRateBasisPoints) == [900, 1_300, 1_300])
        #expect(lines.map(\.description) == ["*clothing*CLO-HOOD-NVY-L", "*clothing*CLO-JEAN-BLK-M", "*运输服务*配送费"])
        #expect(lines.reduce(Money.zero) { $0 + $1.amount } == Self.order.total)
    }

    @Test("blue after a refund settled first: the returned line is left out and the clawed-back 80.00 belongs to the jeans kept")
    func blueAfterRefund() {
        let lines = InvoiceCalculator.blueLines(order: Self.order, refundedBefore: [Self.hoodieReturned])
        #expect(lines.map(\.lineNumber) == [2, nil])
        #expect(lines.map(\.amount) == [.fen(33_613), .fen(1_000)])
        #expect(lines.reduce(Money.zero) { $0 + $1.amount } == Self.order.total - Self.hoodieReturned.amount)
    }

    @Test("red-letter: minus the refund, to the fen; the clawback reduces the credited line; shipping refunded is credited")
    func redLetter() {
        let lines = InvoiceCalculator.redLines(refund: Self.hoodieReturned, order: Self.order)
        #expect(lines.map(\.amount) == [.fen(-14_187)])
        #expect(lines.first?.quantity == -1 && lines.first?.taxRateBasisPoints == 900 && lines.first?.taxAmount == .fen(-1_171))
        var cancelled = Self.hoodieReturned
        cancelled.clawbacks = []
        cancelled.shippingFeeRefunded = .fen(1_000)
        cancelled.amount = .fen(23_187)
        #expect(InvoiceCalculator.redLines(refund: cancelled, order: Self.order).map(\.amount) == [.fen(-22_187), .fen(-1_000)])
        // A refund without lines (a substitution's price difference) is one adjustment line.
        let difference = RefundIssued(refundId: "RF-S", returnId: nil, orderID: "O-INV-1", amount: .fen(500), lines: [], clawbacks: [], shippingFeeRefunded: .zero,
                                      withheldUnits: 0, paymentMethod: .alipay, issuedAt: Date(), cause: .substitution)
        #expect(InvoiceCalculator.redLines(refund: difference, order: Self.order).map(\.amount) == [.fen(-500)])
    }

    @Test("a clawback split over lines adds up exactly, largest remainders first, even near the wire limit")
    func distribution() {
        #expect(InvoiceCalculator.distribute(100, over: [1, 1, 1]) == [34, 33, 33])
        #expect(InvoiceCalculator.distribute(8_000, over: [22_187, 25_613]).reduce(0, +) == 8_000)
        #expect(InvoiceCalculator.distribute(0, over: [5, 5]) == [0, 0])
        let big = Money.wireLimit
        #expect(InvoiceCalculator.distribute(big, over: [big, big, 1]).reduce(0, +) == big)
    }

    @Test("series and numbers: FP/HZ and the Beijing year (New Year's Eve 16:30 UTC is already next year), eight digits")
    func numbering() throws {
        let eve = try #require(ISO8601DateFormatter().date(from: "2026-12-31T16:30:00Z"))
        #expect(InvoiceDesk.series(.blue, at: eve) == "FP2027")
        #expect(InvoiceDesk.series(.red, at: eve.addingTimeInterval(-3_600)) == "HZ2026")
        #expect(InvoiceDesk.invoiceNumber(series: "FP2026", number: 42) == "FP2026-00000042")
        #expect(InvoiceRoutes.isSeries("FP2026") && !InvoiceRoutes.isSeries("XX2026") && !InvoiceRoutes.isSeries("FP20261"))
    }
}

/// The invoice PDF's structure: a reader finds every object where the cross-reference table says.
@Suite("Invoice PDF")
struct InvoicePDFTests {
    static var invoice: Invoice {
        Invoice(invoiceNumber: "FP2026-00000042", series: "FP2026", number: 42, kind: .red, orderID: "O-INV-1", originalInvoiceNumber: "FP2026-00000007",
                refundId: "RF-R1", buyer: InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43"),
                seller: InvoiceSeller(name: "示例零售有限公司", taxId: "91440300708461136T"),
                lines: InvoiceCalculator.redLines(refund: InvoiceCalculatorTests.hoodieReturned, order: InvoiceCalculatorTests.order), issuedAt: Date(timeIntervalSince1970: 1_796_600_000))
    }

    @Test("every cross-reference offset points at its object; startxref at the table; the text is UTF-16 under the GB1 font with a ToUnicode map")
    func wellFormed() throws {
        let bytes = InvoicePDF.render(Self.invoice)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.7\n") && text.hasSuffix("%%EOF\n"))
        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        #expect(Array(bytes[xrefOffset..<(xrefOffset + 4)]) == Array("xref".utf8))
        let table = String(decoding: bytes[xrefOffset...], as: UTF8.self).split(separator: "\n")
        let entries = table.dropFirst(3).prefix { $0.hasSuffix(" n ") }
        #expect(entries.count == 9)
        for (index, entry) in entries.enumerated() {
            let offset = try #require(Int(entry.prefix(10)))
            #expect(String(decoding: bytes[offset..<(offset + 8)], as: UTF8.self).hasPrefix("\(index + 1) 0 obj"))
        }
        #expect(text.contains("/Encoding /UniGB-UTF16-H") && text.contains("/ToUnicode 8 0 R"))
        // 红字 (7EA2 5B57) and the uppercase total's 负 (8D1F) are in the page as UTF-16.
        #expect(text.contains("7EA25B57") && text.contains("8D1F"))
        if let path = ProcessInfo.processInfo.environment["OMS_WRITE_INVOICE_PDF"] { FileManager.default.createFile(atPath: path, contents: Data(bytes)) }
    }
}
