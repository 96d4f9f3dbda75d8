import Foundation
@testable import InsightsService
import Testing

@Suite("Report tables and windows: JSON, CSV, local days")
struct ReportTableTests {
    @Test("CSV quotes text and neutralises formulas; JSON rows are keyed by column")
    func formats() throws {
        let table = ReportTable(report: "sales", groupedBy: "channel", columns: ["channel", "orders", "delayRate"],
                                rows: [[.text("=HYPERLINK(\"x\")"), .integer(3), .rate(1, 3)], [.text("web"), .integer(0), .rate(0, 0)]])
        #expect(table.csv == "channel,orders,delayRate\n\"'=HYPERLINK(\"\"x\"\")\",3,0.3333\n\"web\",0,\n")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(table)) as? [String: Any]
        let rows = json?["rows"] as? [[String: Any]]
        #expect(rows?.first?["orders"] as? Int == 3 && rows?.first?["delayRate"] as? Double == 0.3333)
        #expect(rows?.last?["delayRate"] is NSNull)
    }

    @Test("average order value in integer fen, rounded half up")
    func average() {
        #expect(ReportTable.average(1_000, over: 3) == 333)
        #expect(ReportTable.average(1_001, over: 2) == 501)
        #expect(ReportTable.average(5, over: 0) == 0)
    }

    @Test("a window covers whole Asia/Shanghai days; bad days are named")
    func window() throws {
        let window = try ReportWindow.parse(from: "2026-11-11", to: "2026-11-11").get()
        // 2026-11-11 00:00 +08:00 is 2026-11-10 16:00 UTC.
        #expect(window.start == Date(timeIntervalSince1970: 1_794_326_400))
        #expect(window.end.timeIntervalSince(window.start) == 86_400)
        #expect(ReportWindow.parse(from: "2026-13-01", to: nil) == .failure(.init(field: "from", reason: "a day as YYYY-MM-DD (Asia/Shanghai)")))
        #expect(ReportWindow.parse(from: "2026-11-12", to: "2026-11-11") == .failure(.init(field: "to", reason: "on or after from")))
        #expect(ReportWindow.parse(from: nil, to: nil) == .success(.everything))
    }
}
