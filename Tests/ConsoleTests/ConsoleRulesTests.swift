import Foundation
import NIOCore
import OMSPlatform
import Testing
@testable import ConsoleService

/// The console's pure rules: money and time display, forms, passwords, throttling, delegation.
struct ConsoleRulesTests {
    @Test func moneyIsYuanWithTwoDecimalsFromFen() {
        #expect(ConsoleFormat.yuan(0) == "¥0.00")
        #expect(ConsoleFormat.yuan(5) == "¥0.05")
        #expect(ConsoleFormat.yuan(399_900) == "¥3999.00")
        #expect(ConsoleFormat.yuan(12_345) == "¥123.45")
        #expect(ConsoleFormat.yuan(-500) == "-¥5.00")
    }

    @Test func timesAreShownInShanghai() {
        // 2026-12-06T16:30:00Z is 00:30 the next day in Beijing.
        #expect(ConsoleFormat.time(iso: "2026-12-06T16:30:00Z") == "2026-12-07 00:30:00")
        #expect(ConsoleFormat.time(iso: "2026-12-06T16:30:00.250Z") == "2026-12-07 00:30:00")
        #expect(ConsoleFormat.time(iso: "not a time") == "not a time")
    }

    @Test func formsArePercentDecodedUTF8() {
        let form = ConsoleForm(buffer: ByteBuffer(string: "note=%E5%AE%A2%E6%88%B7+%3Cscript%3E&x=1&x=2&empty=&bad=%ZZ"))
        #expect(form["note"] == "客户 <script>")
        #expect(form["x"] == "1")
        #expect(form["empty"] == "")
        #expect(form["bad"] == "%ZZ")
        #expect(form["missing"] == nil)
    }

    @Test func theAmendmentFormSendsOnlyWhatWasFilledIn() {
        let nameOnly = OrderPages.amendment(ConsoleForm(values: ["recipientName": "韩梅梅", "recipientPhone": "", "province": "", "city": "", "district": "", "street": "", "postalCode": ""]))
        #expect(nameOnly.keys.sorted() == ["recipientName"])
        // Any part of the address sends the whole address, so intake names the parts missing.
        let partial = OrderPages.amendment(ConsoleForm(values: ["city": "北京市"]))
        let address = partial["deliveryAddress"] as? [String: Any] ?? [:]
        #expect(address["city"] as? String == "北京市" && address["province"] as? String == "" && address["postalCode"] == nil)
        #expect(OrderPages.amendment(ConsoleForm(values: [:])).isEmpty)
        #expect(OrderPages.amendment(ConsoleForm(values: ["shippingService": "express", "recipientName": ""])).keys.sorted() == ["shippingService"])
        #expect(OrderPages.amendable("allocated") && OrderPages.amendable("held") && OrderPages.amendable("awaitingPayment"))
        #expect(!OrderPages.amendable("packed") && !OrderPages.amendable("shipped") && !OrderPages.amendable("cancelled") && !OrderPages.amendable("rejected"))
    }

    @Test func theLineCancellationFormSendsOneLineAndLetsIntakeNameWhatIsNotANumber() {
        let body = OrderPages.lineCancellation(ConsoleForm(values: ["lineNumber": "2", "quantity": "1", "reason": "缺货"]))
        #expect((body["lines"] as? [[String: Int]]) == [["lineNumber": 2, "quantity": 1]] && body["reason"] as? String == "缺货")
        let typo = OrderPages.lineCancellation(ConsoleForm(values: ["lineNumber": "2", "quantity": "一"]))
        #expect((typo["lines"] as? [[String: Int]]) == [["lineNumber": 2, "quantity": 0]] && typo["reason"] as? String == "")
    }

    @Test func theSubstitutionFormSendsNumbersAndTheWaiver() {
        let body = OrderPages.substitution(ConsoleForm(values: ["lineNumber": "2", "quantity": "1", "sku": "GLS-WINEGLASS-2", "reason": "换款", "waiveDifference": "on"]))
        #expect(body["lineNumber"] as? Int == 2 && body["quantity"] as? Int == 1 && body["sku"] as? String == "GLS-WINEGLASS-2" && body["waiveDifference"] as? Bool == true)
        #expect(OrderPages.substitution(ConsoleForm(values: ["quantity": "x"]))["quantity"] as? Int == 0)
        #expect(OrderPages.substitution(ConsoleForm(values: [:]))["waiveDifference"] as? Bool == false)
    }

    @Test("the cancellation form says who asked: the customer, or else the merchant")
    func cancellationSaysWhoAsked() {
        #expect(OrderPages.cancellation(ConsoleForm(values: ["reason": "不要了", "requestedBy": "customer"])) == ["reason": "不要了", "requestedBy": "customer"])
        #expect(OrderPages.cancellation(ConsoleForm(values: ["reason": "缺货", "requestedBy": "system"]))["requestedBy"] == "customer-service")
        #expect(OrderPages.cancellation(ConsoleForm(values: [:]))["requestedBy"] == "customer-service")
    }

    @Test("the change forms pass their render's request id, so a double submit is answered as the first; none without one")
    func changeFormsCarryTheirRequestID() {
        #expect(OrderPages.lineCancellation(ConsoleForm(values: ["lineNumber": "2", "quantity": "1", "requestId": "r-1"]))["requestId"] as? String == "r-1")
        #expect(OrderPages.substitution(ConsoleForm(values: ["lineNumber": "2", "requestId": "r-2"]))["requestId"] as? String == "r-2")
        #expect(OrderPages.lineCancellation(ConsoleForm(values: [:]))["requestId"] == nil)
    }

    @Test func passwordsMustBeLongMixedAndNotTheName() {
        #expect(StaffAccount.passwordProblem("short1", name: "li.wei") != nil)
        #expect(StaffAccount.passwordProblem("onlyletterslong", name: "li.wei") != nil)
        #expect(StaffAccount.passwordProblem("li.wei-2026-x", name: "li.wei") != nil)
        #expect(StaffAccount.passwordProblem("Spring-2026-tea", name: "li.wei") == nil)
    }

    @Test func accountFieldsAreChecked() {
        #expect(StaffAccount.problems(name: "li.wei", displayName: "李伟", role: "risk").isEmpty)
        let problems = StaffAccount.problems(name: "li wei", displayName: "", role: "channel").map(\.field)
        #expect(problems == ["name", "displayName", "role"])
        #expect(StaffAccount.problems(name: "x", displayName: "X", role: "console").map(\.field) == ["role"])
    }

    @Test func throttleRefusesAtTheLimit() {
        let throttle = SignInThrottle(perAccount: 5, perAddress: 20, window: .seconds(900))
        #expect(throttle.allows(accountFailures: 4, addressFailures: 19))
        #expect(!throttle.allows(accountFailures: 5, addressFailures: 0))
        #expect(!throttle.allows(accountFailures: 0, addressFailures: 20))
    }

    @Test func secretsCompareExactly() {
        let token = SecureToken.random()
        #expect(token.count == 43)
        #expect(SecureToken.equal(token, token))
        #expect(!SecureToken.equal(token, String(token.dropLast()) + "A") || token.last == "A")
        #expect(!SecureToken.equal(token, ""))
        #expect(SecureToken.oneTimePassword().count == 16)
    }

    @Test func everyTextHasBothLanguagesAndEveryTemplateKeyExists() throws {
        for (key, entry) in ConsoleText.entries {
            #expect(!entry.zh.isEmpty && !entry.en.isEmpty, "\(key)")
        }
        let pattern = try Regex(#"\{\{[#^/]?t\.([A-Za-z0-9.\-]+)\}\}"#)
        for (name, template) in ConsoleTemplates.all {
            for match in template.matches(of: pattern) {
                let key = String(template[match.range].dropFirst(2).dropLast(2).drop { "#^/".contains($0) }.dropFirst(2))
                #expect(ConsoleText.entries[key] != nil, "template \(name) names \(key)")
            }
            #expect(!template.contains("{{{"), "template \(name) renders something unescaped")
        }
        for page in ConsolePage.allCases { #expect(ConsoleText.entries[page.titleKey] != nil) }
    }
}

/// Code 128 as carriers' scanners read it.
struct Code128Tests {
    @Test func everySymbolIsElevenModulesAndUnique() {
        #expect(Code128.patterns.count == 107)
        for (value, pattern) in Code128.patterns.enumerated() {
            let modules = pattern.reduce(0) { $0 + Int(String($1))! }
            #expect(modules == (value == Code128.stop ? 13 : 11), "symbol \(value)")
        }
        #expect(Set(Code128.patterns).count == 107)
    }

    @Test func theCheckSymbolIsTheWeightedSumModulo103() throws {
        // "PJJ123C", the worked example of the standard's check digit: start B 104, P=48, J=42,
        // J=42, 1=17, 2=18, 3=19, C=35; 104 + 48 + 84 + 126 + 68 + 90 + 114 + 245 = 879; 879 % 103 = 55.
        let symbols = try #require(Code128.symbols("PJJ123C"))
        #expect(symbols == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106])
    }

    @Test func nonASCIIIsRefused() {
        #expect(Code128.symbols("顺丰") == nil)
        #expect(Code128.svg("SF\u{7}") == nil)
        let svg = Code128.svg("SF0000000008756") ?? ""
        #expect(svg.hasPrefix("<svg") && svg.contains("<rect x="))
    }
}

/// What the templates render from the pages' data.
struct ConsoleTemplateTests {
    @Test func aDryRunShowsOnlyTheListsThatHaveEntries() throws {
        let view = try ConsoleView()
        let texts = ConsoleText.table(.chinese)
        let page = { (dryRun: [String: Any]) in
            view.library.render(["t": texts, "service": "risk", "entries": [[String: Any]](), "dryRun": OpsPages.dryRunView(dryRun)], withTemplate: "dead-letters") ?? ""
        }
        let nothingElse = page(["redriven": ["0:4"], "quarantined": [String](), "alreadyRedriven": [String]()])
        #expect(nothingElse.contains("0:4") && nothingElse.contains("id=\"redrive\""))
        #expect(!nothingElse.contains(texts["quarantined"]!) && !nothingElse.contains(texts["alreadyRedriven"]!))
        let all = page(["redriven": [String](), "quarantined": ["0:1"], "alreadyRedriven": ["0:2"]])
        #expect(all.contains(texts["quarantined"]!) && all.contains("0:2") && !all.contains("id=\"redrive\""))
    }

    @Test func timelineEntriesWithoutAStatusChangeShowNoArrow() throws {
        let view = try ConsoleView()
        let order = OrderPages.orderView(["orderId": "OMS1", "timeline": [
            ["eventType": "order.received", "status": "received", "statusChanged": true, "at": "2026-12-07T01:00:00Z"],
            ["eventType": "shipment.scan", "status": "shipped", "statusChanged": false, "at": "2026-12-07T02:00:00Z"],
        ]], language: .english)
        let html = view.library.render(["t": ConsoleText.table(.english), "order": order, "sections": [[String: Any]]()], withTemplate: "order") ?? ""
        #expect(html.contains("<strong>order.received</strong> → Received (received)"))
        #expect(html.contains("<strong>shipment.scan</strong> <span"))
    }

    @Test("a presale order awaiting its balance shows its status, its deposit in yuan and its deadline in Beijing time")
    func presaleOrderShowsDepositAndDeadline() throws {
        let view = try ConsoleView()
        let order = OrderPages.orderView(["orderId": "OMS2", "status": "awaitingBalance", "paymentMethod": "wechatPay", "depositFen": 10_000,
                                          "paymentDueAt": "2026-11-11T15:59:59Z"], language: .chinese)
        let html = view.library.render(["t": ConsoleText.table(.chinese), "order": order, "sections": [[String: Any]]()], withTemplate: "order") ?? ""
        #expect(html.contains("预售待付尾款"))
        #expect(html.contains("定金（预售） ¥100.00"))
        #expect(html.contains("付款截止 2026-11-11 23:59"))
    }

    @Test("a merged order's pack station counts every member's picked units and names the other orders to box with it")
    func mergedPackStation() throws {
        let a: [String: Any] = ["orderId": "OMS-A", "lines": [["lineNumber": 1, "sku": "CLO-HOOD-NVY-L", "picked": 1]]]
        let b: [String: Any] = ["fulfillmentOrderId": "FO-B", "orderId": "OMS-B",
                                "lines": [["lineNumber": 1, "sku": "CLO-HOOD-NVY-L", "picked": 1], ["lineNumber": 2, "sku": "GLS-WINEGLASS-1", "picked": 1]]]
        #expect(WarehousePages.unitsToPack((order: a, members: [b])) == ["CLO-HOOD-NVY-L": 2, "GLS-WINEGLASS-1": 1])
        let view = try ConsoleView()
        let html = view.library.render(["t": ConsoleText.table(.chinese), "fo": ["id": "FO-A"], "mergedWith": "FO-B (OMS-B)", "lines": [[String: Any]]()],
                                       withTemplate: "pack") ?? ""
        #expect(html.contains("id=\"merged-with\"") && html.contains("合单") && html.contains("FO-B (OMS-B)"))
        let alone = view.library.render(["t": ConsoleText.table(.chinese), "fo": ["id": "FO-C"], "lines": [[String: Any]]()], withTemplate: "pack") ?? ""
        #expect(!alone.contains("merged-with"))
    }
}
