import Foundation
import OMSDomain

/// The e-mail that sends an approved purchase order to its supplier: a short text in Chinese then
/// English (number, warehouse, expected date in Beijing time, total in ¥) and the lines as a CSV
/// attachment a supplier's system or spreadsheet reads. Invariant: pure; money is written from
/// fen as decimal yuan text (never through floating point); CSV fields that need it are quoted;
/// the Message-ID is the purchase order's, so a repeated send is recognisably the same mail.
enum SupplierOrderMail {
    static func message(_ order: PurchaseOrderApproved, from: MailMessage.Address, now: Date) -> MailMessage {
        let expected = day(order.expectedAt)
        let total = "¥" + Money.fen(order.totalFen).yuanString
        var lines = ["\(order.supplierName)：", "",
                     "请按以下采购单供货，明细见附件 \(fileName(order))。",
                     "采购单号：\(order.poNumber)", "送货仓库：\(order.warehouseId)", "期望到货：\(expected)", "合计：\(total)", ""]
        for line in order.lines {
            lines.append("\(line.sku) × \(line.quantity) @ ¥\(Money.fen(line.unitCostFen).yuanString) = ¥\(Money.fen(Int64(line.quantity) * line.unitCostFen).yuanString)")
        }
        lines += ["", "Purchase order \(order.poNumber): please deliver to warehouse \(order.warehouseId) by \(expected) (Beijing time); total \(total).",
                  "The lines are in the attached CSV."]
        let text = lines.joined(separator: "\n")
        var mail = MailMessage(messageID: "\(order.poNumber.lowercased())@oms", from: from, to: order.supplierEmail,
                               subject: "采购单 \(order.poNumber)（\(total)）", text: text, html: MailMessage.html(fromText: text, language: "zh-CN"), date: now)
        if let csv = MailMessage.Attachment(fileName: fileName(order), contentType: "text/csv", content: Data(csv(order).utf8)) {
            mail.attachments = [csv]
        }
        return mail
    }

    static func fileName(_ order: PurchaseOrderApproved) -> String {
        order.poNumber.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } + ".csv"
    }

    /// UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8), CRLF rows.
    static func csv(_ order: PurchaseOrderApproved) -> String {
        var rows = ["po_number,line,sku,quantity,unit_cost_yuan,line_total_yuan,deliver_to_warehouse,expected_date"]
        for (index, line) in order.lines.enumerated() {
            rows.append([order.poNumber, String(index + 1), line.sku, String(line.quantity), Money.fen(line.unitCostFen).yuanString,
                         Money.fen(Int64(line.quantity) * line.unitCostFen).yuanString, order.warehouseId, day(order.expectedAt)].map(field).joined(separator: ","))
        }
        return "\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180: quoted (quotes doubled) when it holds a comma, quote or line break; a leading
    /// =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
