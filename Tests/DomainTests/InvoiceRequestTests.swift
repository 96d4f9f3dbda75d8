import OMSDomain
import Testing

/// The buyer's 发票 request as the edge checks it, and the taxpayer id's check character.
@Suite("Invoice requests and taxpayer ids")
struct InvoiceRequestTests {
    @Test("unified social credit codes: real ones pass, one changed character or a letter outside the alphabet is caught; older 15- and 20-character numbers pass by shape")
    func taxpayerIDs() {
        for valid in ["91350100M000100Y43", "91440300708461136T", "91110108551385082Q"] { #expect(TaxpayerID.problem(valid) == nil, "\(valid)") }
        #expect(TaxpayerID.problem("91350100M000100Y44")?.contains("check character") == true)
        #expect(TaxpayerID.problem("91350100M000100I43")?.contains("except I, O, S, V, Z") == true)
        #expect(TaxpayerID.problem("9135010") != nil)
        #expect(TaxpayerID.problem("110108551385082") == nil)
        #expect(TaxpayerID.problem("110108199001011234AB") == nil)
        #expect(TaxpayerID.problem("11010855138508x") != nil)
        #expect(TaxpayerID.checkCharacter("91350100M000100Y4") == "3")
    }

    @Test("a company needs a valid tax id, a person has none; a title is 1-100 characters; an e-mail must be deliverable; each problem names its field")
    func requests() {
        #expect(InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43", email: "ap@example.cn").problems().isEmpty)
        #expect(InvoiceRequest(kind: .personal, title: "张三").problems().isEmpty)
        #expect(InvoiceRequest(kind: .company, title: "示例科技有限公司").problems().map(\.field) == ["invoice.taxId"])
        #expect(InvoiceRequest(kind: .company, title: "示例", taxId: "91350100M000100Y44").problems().map(\.field) == ["invoice.taxId"])
        #expect(InvoiceRequest(kind: .personal, title: "张三", taxId: "91350100M000100Y43").problems().map(\.field) == ["invoice.taxId"])
        #expect(InvoiceRequest(kind: .personal, title: "  ").problems().map(\.field) == ["invoice.title"])
        #expect(InvoiceRequest(kind: .personal, title: String(repeating: "张", count: 101)).problems().map(\.field) == ["invoice.title"])
        #expect(InvoiceRequest(kind: .personal, title: "张\u{0}三").problems().map(\.field) == ["invoice.title"])
        #expect(InvoiceRequest(kind: .personal, title: "张三", email: "not-an-address").problems().map(\.field) == ["invoice.email"])
    }
}
