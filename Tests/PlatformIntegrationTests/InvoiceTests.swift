import Foundation
import OMSDomain
import OMSPlatform
import Testing

/// Invoices (发票) through after-sales against real PostgreSQL and the broker: issued when the
/// order ships, never before and never twice, numbered without gaps by two after-sales replicas
/// racing for the same work; a return's refund credited by a red-letter invoice; a personal
/// buyer's name sealed at rest and shown to staff.
@Suite("Invoices: blue on shipment, red-letter on refund, gapless numbering across replicas (real PostgreSQL, broker)", .serialized)
struct InvoiceTests {
    typealias Sales = AfterSalesFlowTests

    static func invoiced(_ id: String, _ request: InvoiceRequest?) -> Order {
        var order = InventoryFixtures.order(id, lines: [("CLO-TEE-BLK-M", 2, 9_900), ("BOOK-RETAIL-101", 1, 5_800)])
        order.lines[1].taxRateBasisPoints = 900
        order.lines[0].taxRateBasisPoints = 1_300
        order.payment = Payment(method: .cashOnDelivery, reference: nil, paidAmount: .zero, paidAt: nil)
        order.shippingFee = .fen(1_000)
        order.invoice = request
        return order
    }

    static func invoices(_ http: EdgeClient, _ orderID: String) async throws -> [[String: Any]] {
        try await http.send(.GET, "/v1/aftersales/orders/\(orderID)/invoices", headers: ["X-User-Id": "cs-agent-1"]).json["invoices"] as? [[String: Any]] ?? []
    }

    @Test("two replicas invoice 26 shipped orders once each, numbered 1-26 without a gap; an unshipped or unrequested order gets none; a return is credited red-letter once; a personal title is sealed at rest")
    func invoicesAcrossReplicas() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(afterSales: ["OMS_INVOICE_CHECK_SECONDS": "1"], afterSalesProcesses: 2) { clients in
                let http = try #require(clients.afterSales)
                // A: a company buyer; returned later. P: a person. 24 more people; N asked for no invoice; U never ships.
                let a = Self.invoiced("O-INV-A", InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43"))
                let p = Self.invoiced("O-INV-P", InvoiceRequest(kind: .personal, title: "张三", email: "zhangsan@example.cn"))
                let more = (1...24).map { Self.invoiced("O-INV-M\($0)", InvoiceRequest(kind: .personal, title: "顾客\($0)")) }
                let n = Self.invoiced("O-INV-N", nil)
                let u = Self.invoiced("O-INV-U", InvoiceRequest(kind: .personal, title: "李四"))
                let shipped = [a, p, n] + more
                try await world.publish(try (shipped + [u]).map { try Sales.received($0) })
                try await world.publish(try shipped.flatMap { try Sales.shippedAndDelivered($0) })

                let schema = world.afterSalesSchema
                let allBlue = try await world.eventually(timeout: .seconds(90)) {
                    try await world.count("SELECT count(*) FROM \(schema).invoices WHERE kind = 'blue'") == 26
                }
                #expect(allBlue)
                // Two more rounds of both replicas: nothing more is issued.
                try await Task.sleep(for: .seconds(2.5))
                #expect(try await world.count("SELECT count(*) FROM \(schema).invoices WHERE kind = 'blue'") == 26)
                let year = InvoiceTests.beijingYear()
                let numbers = try await world.strings("SELECT number::text FROM \(schema).invoices WHERE series = 'FP\(year)'").map { Int($0[0]) ?? 0 }.sorted()
                #expect(numbers == Array(1...26), "numbers: \(numbers)")
                #expect(try await world.count("SELECT count(*) FROM \(schema).invoices WHERE order_id IN ('O-INV-N', 'O-INV-U')") == 0)

                // P: each line at its rate, VAT inside the price; the person's name opened for staff, sealed at rest.
                let invoicesP = try await Self.invoices(http, p.orderID)
                let blueP = try #require(invoicesP.first)
                #expect(invoicesP.count == 1 && blueP["kind"] as? String == "blue")
                let linesP = blueP["lines"] as? [[String: Any]] ?? []
                #expect(linesP.map { $0["amountFen"] as? Int } == [19_800, 5_800, 1_000])
                #expect(linesP.map { $0["taxFen"] as? Int } == [2_278, 479, 115])
                #expect(blueP["totalFen"] as? Int == Int(p.total.minorUnits) && blueP["taxFen"] as? Int == 2_872)
                #expect((blueP["buyer"] as? [String: Any])?["title"] as? String == "张三")
                #expect((blueP["seller"] as? [String: Any])?["taxId"] as? String == "91350100M000100Y43")
                let stored = try await world.strings("SELECT body->'buyer'->>'title', body->'buyer'->>'email' FROM \(schema).invoices WHERE order_id = 'O-INV-P'")
                #expect(stored.first?.allSatisfy { PIIVault.isSealed($0) } == true, "stored buyer: \(stored)")
                let numberP = blueP["invoiceNumber"] as? String ?? ""
                let byNumber = try await http.send(.GET, "/v1/aftersales/invoices/\(numberP)", headers: ["X-User-Id": "ops-1"])
                #expect(byNumber.status == 200 && byNumber.json["orderId"] as? String == p.orderID, "\(byNumber.text)")
                // Its PDF, read back by a PDF library: what a person sees, in Chinese.
                let pdfP = try await http.send(.GET, "/v1/aftersales/invoices/\(numberP)/pdf", headers: ["X-User-Id": "cs-agent-1"])
                #expect(pdfP.status == 200 && pdfP.headers["content-type"] == "application/pdf")
                let textP = try Self.pdfText(pdfP.body)
                for expected in ["电子发票（普通发票）", "发票号码：\(numberP)", "名称：张三", "名称：示例零售有限公司", "*商品*CLO-TEE-BLK-M", "价税合计（大写）贰佰陆拾陆元整", "（小写）￥266.00"] {
                    #expect(textP.contains(expected), "\(expected) not in the PDF's text: \(textP)")
                }

                // A: the company's books come back; the COD refund is owed at once and credited red-letter, once.
                let opened = try await Sales.post(http, "/v1/aftersales/returns", #"{"orderId":"O-INV-A","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":2}],"requestId":"r-inv-a"}"#)
                #expect(opened.status == 201, "\(opened.text)")
                let returnID = opened.json["returnId"] as? String ?? ""
                let receipt = try await Sales.post(http, "/v1/aftersales/returns/\(returnID)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":2,"condition":"resellable"}]}"#)
                #expect(receipt.status == 200, "\(receipt.text)")
                #expect(try await world.eventually(timeout: .seconds(30)) { try await world.count("SELECT count(*) FROM \(schema).invoices WHERE kind = 'red'") == 1 })
                try await Task.sleep(for: .seconds(2.5))
                let invoicesA = try await Self.invoices(http, a.orderID)
                #expect(invoicesA.map { $0["kind"] as? String } == ["blue", "red"])
                let refunded = try await world.strings("SELECT amount_fen::text FROM \(schema).refunds WHERE order_id = 'O-INV-A'").first.flatMap { Int($0[0]) }
                let red = invoicesA.last ?? [:]
                #expect(red["totalFen"] as? Int == refunded.map { -$0 } && red["originalInvoiceNumber"] as? String == invoicesA.first?["invoiceNumber"] as? String)
                #expect(red["invoiceNumber"] as? String == "HZ\(year)-00000001")
                #expect((red["buyer"] as? [String: Any])?["taxId"] as? String == "91350100M000100Y43")
                let pdfRed = try await http.send(.GET, "/v1/aftersales/invoices/HZ\(year)-00000001/pdf", headers: ["X-User-Id": "ops-1"])
                let textRed = try Self.pdfText(pdfRed.body)
                for expected in ["红字", "被红冲蓝字发票号码：\(invoicesA.first?["invoiceNumber"] as? String ?? "?")", "名称：示例科技有限公司", "负壹佰玖拾捌元整"] {
                    #expect(textRed.contains(expected), "\(expected) not in the red-letter PDF's text: \(textRed)")
                }
                // Every invoice was announced once, in the transaction that issued it.
                #expect(try await world.count("SELECT count(*) FROM \(schema).outbox WHERE strpos(headers, 'aftersales.invoice-issued') > 0") == 27)

                // Access and input: a channel token is refused; an unknown invoice is 404; a bad series is 422 naming it.
                #expect(try await http.send(.GET, "/v1/aftersales/invoices/FP\(year)-99999999", headers: ["X-User-Id": "ops-1"]).status == 404)
                let badSeries = try await http.send(.GET, "/v1/aftersales/invoice-series/XX1?limit=5000", headers: ["X-User-Id": "ops-1"])
                #expect(badSeries.status == 422 && badSeries.text.contains("series") && badSeries.text.contains("limit"), "\(badSeries.text)")
                let series = try await http.send(.GET, "/v1/aftersales/invoice-series/FP\(year)?after=20&limit=3", headers: ["X-User-Id": "ops-1"])
                #expect((series.json["invoices"] as? [[String: Any]])?.map { $0["number"] as? Int } == [21, 22, 23])
            }
        }
    }

    @Test("invoices go to the e-invoice platform (Nuonuo, signed): once each, a 502 retried under the same orderNo, a refusal failed with its reason, a red-letter one only after its blue one with the blue one's platform id")
    func submittedToThePlatform() async throws {
        let nuonuo = NuonuoEndpoint(port: TestPorts.block(1))
        try await withIntakeWorld { world in
            try await world.running([nuonuo.application()]) {
                var environment = nuonuo.environment
                environment["OMS_INVOICE_CHECK_SECONDS"] = "1"
                environment["OMS_EINVOICE_RETRY_BASE_SECONDS"] = "1"
                try await world.withStages(afterSales: environment) { clients in
                    let http = try #require(clients.afterSales)
                    let year = InvoiceTests.beijingYear()
                    let ok = Self.invoiced("O-EI-OK", InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43"))
                    let flaky = Self.invoiced("O-EI-502", InvoiceRequest(kind: .personal, title: "王五"))
                    let refused = Self.invoiced("O-EI-NO", InvoiceRequest(kind: .personal, title: "赵六"))
                    // Each is issued before the next is published, so their numbers are known in advance
                    // and the platform is scripted before the submitter can send them.
                    let (okNumber, flakyNumber, refusedNumber) = ("FP\(year)-00000001", "FP\(year)-00000002", "FP\(year)-00000003")
                    nuonuo.behave(flakyNumber, .failHTTP(times: 2))
                    nuonuo.behave(refusedNumber, .refuse(code: "E9501", describe: "购方名称与税号不匹配"))
                    for order in [ok, flaky, refused] {
                        try await world.publish([try Sales.received(order)])
                        try await world.publish(try Sales.shippedAndDelivered(order))
                        #expect(try await world.eventually(timeout: .seconds(30)) {
                            try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).invoices WHERE order_id = '\(order.orderID)'") == 1
                        })
                    }
                    let number = { (order: Order) async throws -> String in
                        try await world.strings("SELECT invoice_number FROM \(world.afterSalesSchema).invoices WHERE order_id = '\(order.orderID)'").first?.first ?? ""
                    }
                    #expect([try await number(ok), try await number(flaky), try await number(refused)] == [okNumber, flakyNumber, refusedNumber])
                    let settled = try await world.eventually(timeout: .seconds(60)) {
                        try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).invoices WHERE platform_status IN ('submitted', 'failed')") == 3
                    }
                    #expect(settled)
                    let states = try await world.strings("SELECT invoice_number, platform_status, coalesce(platform_id, ''), platform_attempts::text, coalesce(platform_error, '') FROM \(world.afterSalesSchema).invoices ORDER BY invoice_number")
                    let byNumber = Dictionary(uniqueKeysWithValues: states.map { ($0[0], Array($0.dropFirst())) })
                    #expect(byNumber[okNumber]?[0] == "submitted" && byNumber[okNumber]?[1] == nuonuo.issued[okNumber])
                    #expect(byNumber[flakyNumber]?[0] == "submitted" && byNumber[flakyNumber]?[2] == "3", "\(byNumber[flakyNumber] ?? [])")
                    #expect(byNumber[refusedNumber]?[0] == "failed" && byNumber[refusedNumber]?[3].contains("E9501") == true, "\(byNumber[refusedNumber] ?? [])")
                    #expect(nuonuo.badSignatures == 0)
                    let submitted = nuonuo.submissions
                    #expect(submitted.filter { $0.orderNo == okNumber }.count == 1)
                    #expect(submitted.first { $0.orderNo == okNumber }.map { ($0.buyerName, $0.buyerTaxNum, $0.invoiceType, $0.total) } ?? ("", "", "", "") == ("示例科技有限公司", "91350100M000100Y43", "1", "266"))
                    // The person's name, sealed at rest, reaches the platform opened.
                    #expect(submitted.first { $0.orderNo == flakyNumber }?.buyerName == "王五")

                    // The company's tees come back: the red-letter invoice names the blue one's platform id.
                    let opened = try await Sales.post(http, "/v1/aftersales/returns", #"{"orderId":"O-EI-OK","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":2}],"requestId":"r-ei"}"#)
                    let returnID = opened.json["returnId"] as? String ?? ""
                    _ = try await Sales.post(http, "/v1/aftersales/returns/\(returnID)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":2,"condition":"resellable"}]}"#)
                    let redSent = try await world.eventually(timeout: .seconds(30)) { nuonuo.submissions.contains { $0.invoiceType == "2" && $0.answered == "E0000" } }
                    #expect(redSent)
                    let red = nuonuo.submissions.first { $0.invoiceType == "2" }
                    #expect(red?.invoiceNum == nuonuo.issued[okNumber] && red?.total == "-198", "\(String(describing: red))")
                    let listed = try await Self.invoices(http, ok.orderID)
                    #expect(listed.map { $0["platformStatus"] as? String } == ["submitted", "submitted"])
                }
            }
        }
    }

    /// The first page's text as pypdf extracts it (the stack's Python has it installed).
    static func pdfText(_ bytes: [UInt8]) throws -> String {
        let python = ProcessInfo.processInfo.environment["OMS_STACK_PYTHON"] ?? "python3"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("invoice-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import sys, pypdf; print(pypdf.PdfReader(sys.argv[1]).pages[0].extract_text())", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    static func beijingYear() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar.component(.year, from: Date())
    }
}
