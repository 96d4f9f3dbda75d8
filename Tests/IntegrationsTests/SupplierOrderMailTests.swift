import Foundation
import OMSDomain
import Testing
@testable import IntegrationsService

/// The purchase order mail a supplier receives: its text, its CSV (money from fen as text,
/// quoting, no spreadsheet formulas) and the MIME form with an attachment.
@Suite("Supplier order mail: text, CSV and attachment")
struct SupplierOrderMailTests {
    static let expected = ISO8601DateFormatter().date(from: "2026-12-13T18:00:00Z")!  // 2026-12-14 02:00 in Beijing

    static func order(lines: [PurchaseOrderApproved.Line]) -> PurchaseOrderApproved {
        PurchaseOrderApproved(poNumber: "PO-20261207-00042", supplierCode: "ACME", supplierName: "艾克米供应链", supplierEmail: "orders@acme.example.cn",
                              warehouseId: "SH1", expectedAt: expected, lines: lines, approvedBy: "ops-1", approvedAt: Date())
    }

    @Test("the CSV lists each line with yuan from fen, the Beijing delivery date, a BOM and CRLF; the total is the lines' sum")
    func csv() {
        let order = Self.order(lines: [.init(sku: "SKU-A", quantity: 24, unitCostFen: 1_205), .init(sku: "SKU-B", quantity: 3, unitCostFen: 99)])
        #expect(order.totalFen == 24 * 1_205 + 3 * 99)
        let csv = SupplierOrderMail.csv(order)
        #expect(csv.hasPrefix("\u{FEFF}po_number,line,sku,quantity,unit_cost_yuan,line_total_yuan,deliver_to_warehouse,expected_date\r\n"))
        #expect(csv.contains("\r\nPO-20261207-00042,1,SKU-A,24,12.05,289.20,SH1,2026-12-14\r\n"))
        #expect(csv.hasSuffix("PO-20261207-00042,2,SKU-B,3,0.99,2.97,SH1,2026-12-14\r\n"))
    }

    @Test("a SKU with a comma or quote is quoted; one that starts like a formula is defused")
    func csvFields() {
        #expect(SupplierOrderMail.field("A,B") == "\"A,B\"")
        #expect(SupplierOrderMail.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SupplierOrderMail.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(SupplierOrderMail.field("-5") == "-5" && SupplierOrderMail.field("@cmd") == "'@cmd")
        #expect(SupplierOrderMail.field("SKU-1") == "SKU-1")
    }

    @Test("the mail: Chinese subject with the total, the PO's Message-ID, multipart/mixed with the CSV attached, ASCII lines of at most 78")
    func mail() throws {
        let order = Self.order(lines: [.init(sku: "SKU-A", quantity: 24, unitCostFen: 1_200)])
        let mail = SupplierOrderMail.message(order, from: MailMessage.Address(parsing: "示例零售 <service@shop.example.cn>")!, now: Date())
        #expect(mail.subject == "采购单 PO-20261207-00042（¥288.00）" && mail.messageID == "po-20261207-00042@oms" && mail.to == "orders@acme.example.cn")
        #expect(mail.text.contains("期望到货：2026-12-14") && mail.text.contains("SKU-A × 24 @ ¥12.00 = ¥288.00") && mail.text.contains("Purchase order PO-20261207-00042"))
        let rendered = mail.rendered
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(rendered.unicodeScalars.allSatisfy { $0.isASCII } && lines.allSatisfy { $0.count <= 78 })
        #expect(lines.contains { $0.hasPrefix("Content-Type: multipart/mixed; boundary=") })
        #expect(lines.contains("Content-Disposition: attachment; filename=\"PO-20261207-00042.csv\""))
        #expect(rendered.contains(MailMessage.base64Lines(Data(SupplierOrderMail.csv(order).utf8)).components(separatedBy: "\r\n")[0]))
        // An attachment name that could break the header is refused.
        #expect(MailMessage.Attachment(fileName: "a\"\r\nBcc: x.csv", contentType: "text/csv", content: Data()) == nil)
    }
}
