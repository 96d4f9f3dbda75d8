import Foundation
import OMSDomain

/// An invoice as a person reads it, laid out like a 电子发票（普通发票）: title, number and date
/// (Asia/Shanghai), buyer and seller with their taxpayer ids, one row per line (项目名称, 数量,
/// 金额, 税率, 税额), the totals with 价税合计 in figures and in 大写; a red-letter one says 红字
/// and names the blue invoice it credits. Invariant: pure; the buyer is rendered as given (the
/// caller opens a sealed title first).
enum InvoicePDF {
    static func render(_ invoice: Invoice) -> [UInt8] {
        var pdf = SimplePDF()
        let red = invoice.kind == .red
        let accent = red ? (0.75, 0.05, 0.05) : (0.45, 0.25, 0.05)
        let left = 40.0, right = SimplePDF.width - 40
        var y = SimplePDF.height - 60

        let title = red ? "电子发票（普通发票）红字" : "电子发票（普通发票）"
        pdf.text(title, x: (SimplePDF.width - SimplePDF.width(of: title, size: 20)) / 2, y: y, size: 20, rgb: accent)
        pdf.line((SimplePDF.width - 260) / 2, y - 8, (SimplePDF.width + 260) / 2, y - 8, width: 1.2, rgb: accent)
        y -= 36
        pdf.text("发票号码：\(invoice.invoiceNumber)", x: right - 220, y: y, size: 10)
        pdf.text("开票日期：\(beijingDate(invoice.issuedAt))", x: right - 220, y: y - 16, size: 10)
        pdf.text("订单号：\(invoice.orderID)", x: left, y: y, size: 10)
        if let original = invoice.originalInvoiceNumber {
            pdf.text("被红冲蓝字发票号码：\(original)", x: left, y: y - 16, size: 10, rgb: accent)
        }
        y -= 40

        // Buyer and seller, side by side.
        let half = (right - left) / 2
        pdf.box(x: left, y: y - 58, width: right - left, height: 66, rgb: accent)
        pdf.line(left + half, y + 8, left + half, y - 58, rgb: accent)
        pdf.text("购买方信息", x: left + 8, y: y - 8, size: 10, rgb: accent)
        pdf.text("名称：\(invoice.buyer.title)", x: left + 8, y: y - 26, size: 10)
        pdf.text("统一社会信用代码/纳税人识别号：\(invoice.buyer.taxId ?? "")", x: left + 8, y: y - 44, size: 8)
        pdf.text("销售方信息", x: left + half + 8, y: y - 8, size: 10, rgb: accent)
        pdf.text("名称：\(invoice.seller.name)", x: left + half + 8, y: y - 26, size: 10)
        pdf.text("统一社会信用代码/纳税人识别号：\(invoice.seller.taxId)", x: left + half + 8, y: y - 44, size: 8)
        y -= 84

        // The lines.
        let columns = (name: left + 4, quantity: left + 300, amount: left + 390, rate: left + 440, tax: right - 4)
        pdf.text("项目名称", x: columns.name, y: y, size: 10, rgb: accent)
        pdf.textRight("数量", right: columns.quantity, y: y, size: 10, rgb: accent)
        pdf.textRight("金额", right: columns.amount, y: y, size: 10, rgb: accent)
        pdf.textRight("税率", right: columns.rate, y: y, size: 10, rgb: accent)
        pdf.textRight("税额", right: columns.tax, y: y, size: 10, rgb: accent)
        pdf.line(left, y - 6, right, y - 6, rgb: accent)
        y -= 22
        for line in invoice.lines.prefix(30) {
            pdf.text(line.description, x: columns.name, y: y, size: 9)
            pdf.textRight(String(line.quantity), right: columns.quantity, y: y, size: 9)
            pdf.textRight(yuan(line.netAmount), right: columns.amount, y: y, size: 9)
            pdf.textRight(percent(line.taxRateBasisPoints), right: columns.rate, y: y, size: 9)
            pdf.textRight(yuan(line.taxAmount), right: columns.tax, y: y, size: 9)
            y -= 16
        }
        if invoice.lines.count > 30 {
            pdf.text("（另有 \(invoice.lines.count - 30) 行，见结构化数据）", x: columns.name, y: y, size: 9)
            y -= 16
        }
        pdf.line(left, y + 6, right, y + 6, rgb: accent)
        y -= 10
        let net = invoice.total - invoice.taxTotal
        pdf.text("合计", x: columns.name, y: y, size: 10)
        pdf.textRight("￥" + yuan(net), right: columns.amount, y: y, size: 10)
        pdf.textRight("￥" + yuan(invoice.taxTotal), right: columns.tax, y: y, size: 10)
        y -= 24
        pdf.text("价税合计（大写）\(invoice.total.chineseUppercase)", x: columns.name, y: y, size: 11)
        pdf.textRight("（小写）￥" + yuan(invoice.total), right: columns.tax, y: y, size: 11)
        pdf.line(left, y - 10, right, y - 10, rgb: accent)
        y -= 30
        if red, let refund = invoice.refundId {
            pdf.text("备注：退款 \(refund) 开具红字发票", x: left, y: y, size: 9)
        }
        return pdf.document(title: "\(title) \(invoice.invoiceNumber)")
    }

    /// Fen as yuan with two decimals, signed (红字 amounts are negative).
    static func yuan(_ money: Money) -> String {
        let magnitude = money.minorUnits.magnitude
        let cents = magnitude % 100
        return (money.minorUnits < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    static func percent(_ basisPoints: Int) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : "\(Double(basisPoints) / 100)%"
    }

    static func beijingDate(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d年%02d月%02d日", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
