import Foundation
import IntakeService
import OMSDomain
import OMSPlatform
import Testing

@Suite("Channel payloads: the documented examples normalize; bad fields are named")
struct ChannelPayloadTests {
    let hasher = PIIHasher(secret: "test")
    let limits = IntakeLimits()

    @Test("POS: barcodes, member card, tender; carry-out without address")
    func pos() throws {
        let draft = try ChannelExamples.payload(PosSalePayload.self).normalize(limits: limits, hasher: hasher).get()
        #expect(draft.channel == .pos)
        #expect(draft.channelOrderID == "SH-0021:T03:20261111-000452")
        #expect(draft.lines == [OrderDraft.Line(reference: .barcode("6901000000028"), quantity: 2)])
        #expect(draft.customer.isMember)
        #expect(draft.deliveryAddress == nil)
        #expect(draft.claimedTotal == .fen(17_820))
        #expect(Timestamps.format(draft.placedAt) == "2026-11-11T02:15:00.000Z")
    }

    @Test("one person is one person key on every channel (same mobile, or member number without one); a walk-in without a card has none; channel accounts stay distinct")
    func personKeyAcrossChannels() throws {
        let web = try ChannelExamples.payload(WebOrderPayload.self) { $0.customer.phone = "13912345678" }.normalize(limits: limits, hasher: hasher).get()
        let phone = try ChannelExamples.payload(PhoneOrderPayload.self) { $0.customer.phone = "13912345678" }.normalize(limits: limits, hasher: hasher).get()
        let market = try ChannelExamples.payload(MarketplaceOrderPayload.self) { $0.receiver_mobile = "13912345678" }.normalize(limits: limits, hasher: hasher).get()
        #expect(web.customer.personKey != nil && web.customer.personKey == phone.customer.personKey && phone.customer.personKey == market.customer.personKey)
        #expect(Set([web.customer.customerKey, phone.customer.customerKey, market.customer.customerKey]).count == 3, "risk counts per channel account")
        let other = try ChannelExamples.payload(WebOrderPayload.self) { $0.customer.phone = "13912345679" }.normalize(limits: limits, hasher: hasher).get()
        #expect(other.customer.personKey != web.customer.personKey)
        let member = try ChannelExamples.payload(PosSalePayload.self).normalize(limits: limits, hasher: hasher).get()
        #expect(member.customer.personKey == hasher.personKey(phone: nil, memberNumber: "8800123456") && member.customer.personKey?.hasPrefix("p_") == true)
        let walkIn = try ChannelExamples.payload(PosSalePayload.self) { $0.memberCard = nil }.normalize(limits: limits, hasher: hasher).get()
        #expect(walkIn.customer.personKey == nil && walkIn.customer.customerKey == "anonymous")
        #expect(PIIHasher(secret: "other").personKey(phone: "13912345678", memberNumber: nil) != web.customer.personKey, "keyed: another secret, another key")
    }

    @Test("POS: a wrong check digit, a zero quantity and a card tender without reference are all reported")
    func posErrors() throws {
        let result = try ChannelExamples.payload(PosSalePayload.self) {
            $0.items = [.init(barcode: "6901000000029", quantity: 1), .init(barcode: "6901000000028", quantity: 0)]
            $0.tender.reference = nil
            $0.soldAt = "2026-11-11 10:15:00"
        }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let rejected) = result else { Issue.record("expected failure"); return }
        #expect(Set(rejected.issues.map(\.field)) == ["items[0].barcode", "items[1].quantity", "tender.reference", "soldAt"])
    }

    @Test("a time with a five-digit year (or before 2000) is refused at the edge, naming the field (fuzzing finding: it was accepted and could not be read back)")
    func implausibleTimes() throws {
        for soldAt in ["20266-11-11T10:15:00+08:00", "1999-12-31T23:59:59Z"] {
            let result = try ChannelExamples.payload(PosSalePayload.self) { $0.soldAt = soldAt }.normalize(limits: limits, hasher: hasher)
            guard case .failure(let rejected) = result else { Issue.record("\(soldAt) accepted"); continue }
            #expect(rejected.issues.map(\.field) == ["soldAt"])
        }
    }

    @Test("web: SKU lines, payment reference, express service")
    func web() throws {
        let draft = try ChannelExamples.payload(WebOrderPayload.self) { $0.shippingService = "express" }.normalize(limits: limits, hasher: hasher).get()
        #expect(draft.lines.map(\.reference) == [.sku("CLO-HOOD-NVY-L"), .sku("GLS-WINEGLASS-1")])
        #expect(draft.payment.method == .card && draft.payment.reference == "pi_3Q8x2Lk")
        #expect(draft.requestedService == "express")
        #expect(draft.deliveryAddress?.postalCode == "200120")
        // The device id travels only as a keyed hash.
        #expect(draft.source["deviceKey"]?.count == 64 && draft.source["deviceKey"] != "fp-7c1e9a02b4")
    }

    @Test("web: phone, postal code, quantity limit, unknown payment method, negative amount")
    func webErrors() throws {
        let result = try ChannelExamples.payload(WebOrderPayload.self) {
            $0.customer.phone = "12012345678"
            $0.shippingAddress?.postalCode = "20012"
            $0.lines[0].quantity = 1_000
            $0.payment.method = "cheque"
            $0.payment.amountFen = -1
        }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let rejected) = result else { Issue.record("expected failure"); return }
        #expect(Set(rejected.issues.map(\.field)) == ["customer.phone", "shippingAddress.postalCode", "lines[0].quantity", "payment.method", "payment.amountFen"])
        #expect(!rejected.issues.description.contains("12012345678"))
    }

    @Test("web: an invoice request travels on the draft; a company's mistyped tax id and an empty title are refused naming the fields")
    func webInvoice() throws {
        let draft = try ChannelExamples.payload(WebOrderPayload.self) {
            $0.invoice = InvoiceRequest(kind: .company, title: "示例科技有限公司", taxId: "91350100M000100Y43")
        }.normalize(limits: limits, hasher: hasher).get()
        #expect(draft.invoice?.taxId == "91350100M000100Y43")
        let result = try ChannelExamples.payload(WebOrderPayload.self) {
            $0.invoice = InvoiceRequest(kind: .company, title: "", taxId: "91350100M000100Y44")
        }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let rejected) = result else { Issue.record("expected failure"); return }
        #expect(Set(rejected.issues.map(\.field)) == ["invoice.title", "invoice.taxId"])
    }

    @Test("web: a pickup order (门店自提) names its store instead of an address; neither, or both, is refused")
    func webPickup() throws {
        let draft = try ChannelExamples.payload(WebOrderPayload.self) {
            $0.shippingAddress = nil
            $0.pickupStoreId = "S-PU"
            $0.shippingService = "express"
        }.normalize(limits: limits, hasher: hasher).get()
        // Nothing is shipped, so a shipping service the shop sends anyway is dropped.
        #expect(draft.pickupStoreID == "S-PU" && draft.deliveryAddress == nil && draft.requestedService == nil)
        for (change, fields) in [({ (p: inout WebOrderPayload) in p.shippingAddress = nil }, ["shippingAddress"]),
                                 ({ (p: inout WebOrderPayload) in p.pickupStoreId = "S-PU" }, ["shippingAddress"])] {
            let result = try ChannelExamples.payload(WebOrderPayload.self, edit: change).normalize(limits: limits, hasher: hasher)
            guard case .failure(let rejected) = result else { Issue.record("expected failure for \(fields)"); continue }
            #expect(Set(rejected.issues.map(\.field)) == Set(fields))
        }
    }

    @Test("mini-program: unionid identity, WeChat Pay fields, compact Shanghai time")
    func miniProgram() throws {
        let payload = try ChannelExamples.payload(MiniProgramOrderPayload.self)
        let draft = try payload.normalize(limits: limits, hasher: hasher).get()
        #expect(draft.payment.method == .wechatPay)
        #expect(draft.payment.reference == "4200001234202611110000000001")
        #expect(draft.payment.paidAt.map(Timestamps.format) == "2026-11-11T00:30:12.000Z")
        #expect(draft.channelOrderID == "wx8a7c6b5d4e3f2a10:MP20261111000093")
        // The same person through a different mini-program (same unionid) is the same customer.
        var other = payload
        other.appid = "wx0000000000000001"
        other.openid = "another-openid"
        #expect(try other.normalize(limits: limits, hasher: hasher).get().customer.customerKey == draft.customer.customerKey)
    }

    @Test("web and mini-program orders sent before their payment: pending or failed, nothing paid yet, no reference needed; a paid one still needs its reference and time")
    func sentBeforePayment() throws {
        let pending = try ChannelExamples.payload(WebOrderPayload.self) {
            $0.payment.status = "pending"; $0.payment.reference = nil; $0.payment.paidAt = nil
        }.normalize(limits: limits, hasher: hasher).get()
        #expect(pending.payment.status == .pending && pending.payment.isAwaiting && pending.payment.paidAmount == .zero && pending.payment.reference == nil)
        #expect((pending.claimedTotal?.minorUnits ?? 0) > 0, "the amount due is still checked against OMS pricing")
        let unpaid = try ChannelExamples.payload(WebOrderPayload.self) { $0.payment.reference = nil; $0.payment.paidAt = nil }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let rejected) = unpaid else { Issue.record("a paid order without reference must fail"); return }
        #expect(Set(rejected.issues.map(\.field)) == ["payment.reference", "payment.paidAt"])
        let odd = try ChannelExamples.payload(WebOrderPayload.self) { $0.payment.status = "later" }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let oddRejected) = odd else { Issue.record("an unknown payment status must fail"); return }
        #expect(oddRejected.issues.map(\.field) == ["payment.status"])

        let notPaid = try ChannelExamples.payload(MiniProgramOrderPayload.self) {
            $0.wechatPay.trade_state = "NOTPAY"; $0.wechatPay.transaction_id = nil; $0.wechatPay.time_end = nil
        }.normalize(limits: limits, hasher: hasher).get()
        #expect(notPaid.payment.status == .pending && notPaid.payment.paidAmount == .zero && notPaid.payment.reference == nil)
        let payError = try ChannelExamples.payload(MiniProgramOrderPayload.self) { $0.wechatPay.trade_state = "PAYERROR" }.normalize(limits: limits, hasher: hasher).get()
        #expect(payError.payment.status == .failed && payError.payment.reference == nil)
        let unknown = try ChannelExamples.payload(MiniProgramOrderPayload.self) { $0.wechatPay.trade_state = "REFUND" }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let state) = unknown else { Issue.record("an unknown trade_state must fail"); return }
        #expect(state.issues.map(\.field) == ["wechatPay.trade_state"])
    }

    @Test("phone: cash on delivery needs no amount and refuses one")
    func phone() throws {
        let draft = try ChannelExamples.payload(PhoneOrderPayload.self).normalize(limits: limits, hasher: hasher).get()
        #expect(draft.payment.method == .cashOnDelivery)
        #expect(draft.claimedTotal == nil)
        #expect(draft.source["agentId"] == "agent-031")
        let withAmount = try ChannelExamples.payload(PhoneOrderPayload.self) { $0.payment.amountFen = 100 }.normalize(limits: limits, hasher: hasher)
        guard case .failure(let rejected) = withAmount else { Issue.record("expected failure"); return }
        #expect(rejected.issues.map(\.field) == ["payment.amountFen"])
    }

    @Test("marketplace example: outer ids and yuan amounts")
    func marketplace() throws {
        let draft = try ChannelExamples.payload(MarketplaceOrderPayload.self).normalize(limits: limits, hasher: hasher).get()
        #expect(draft.lines.map(\.reference) == [.outerID("TB100002"), .outerID("TB100268")])
        #expect(draft.claimedTotal == .fen(22_790))
    }

    @Test("order numbers: well formed, dated in Shanghai, unique")
    func orderNumbers() {
        // 2026-11-10T16:30:00Z is already 11 November in Shanghai.
        let id = OrderNumber.generate(at: Timestamps.parse("2026-11-10T16:30:00.000Z")!)
        #expect(id.hasPrefix("OMS261111-"))
        #expect(OrderNumber.isWellFormed(id))
        #expect(Set((0..<1_000).map { _ in OrderNumber.generate() }).count == 1_000)
    }
}
