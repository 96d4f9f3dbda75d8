import Foundation
import OMSDemo
import IntakeService
import OMSDomain
import OMSPlatform
import Testing

@Suite("Order assembly: catalog resolution, pricing with the demo promotions, the channel's total checked")
struct OrderAssemblerTests {
    let hasher = PIIHasher(secret: "test")
    let assembler = OrderAssembler(shipping: ShippingRule(fee: .fen(1_000), freeOver: .fen(9_900)))
    let promotions = DemoPromotions.all.map { ScheduledPromotion(promotion: $0, startsAt: nil, endsAt: nil) }

    /// The demo catalog as the workers' lookup returns it.
    var catalog: [ReferenceKey: CatalogEntry] {
        var entries: [ReferenceKey: CatalogEntry] = [:]
        for product in DemoCatalog.products {
            let entry = CatalogEntry(sku: product.sku, category: product.category, listPrice: product.listPrice, memberPrice: product.memberPrice)
            entries[ReferenceKey(kind: "sku", code: product.sku)] = entry
            for code in product.barcodes { entries[ReferenceKey(kind: "barcode", code: code)] = entry }
            for (channel, code) in product.outerIDs { entries[ReferenceKey(kind: "outer:\(channel)", code: code)] = entry }
        }
        return entries
    }

    func assemble(_ payload: some ChannelPayload, coupon: IssuedCoupon? = nil) throws -> OrderAssembler.Outcome {
        let draft = try payload.normalize(limits: IntakeLimits(), hasher: hasher).get()
        return assembler.assemble(orderID: "OMS261111-TEST", draft: draft, catalog: catalog, promotions: promotions, coupon: coupon)
    }

    func accepted(_ outcome: OrderAssembler.Outcome) -> (Order, [AppliedPromotion])? {
        if case .accepted(let order, let applied, _) = outcome { return (order, applied) }
        Issue.record("expected an accepted order, got \(outcome)")
        return nil
    }

    @Test("a SKU inventory reports sold out everywhere: the web shop refuses the line, a marketplace order (already paid) is taken")
    func soldOut() throws {
        let web = try ChannelExamples.payload(WebOrderPayload.self).normalize(limits: IntakeLimits(), hasher: hasher).get()
        let sku = catalog[ReferenceKey(web.lines[1].reference, channel: .web)]!.sku
        let refused = assembler.assemble(orderID: "OMS261111-TEST", draft: web, catalog: catalog, promotions: promotions, coupon: nil, soldOut: [sku])
        guard case .rejected(let reasons) = refused else { Issue.record("expected a rejection"); return }
        #expect(reasons.map(\.code) == ["sold_out"] && reasons.first?.lineNumber == 2)
        let market = try ChannelExamples.payload(MarketplaceOrderPayload.self).normalize(limits: IntakeLimits(), hasher: hasher).get()
        let marketSKUs = Set(market.lines.compactMap { catalog[ReferenceKey($0.reference, channel: .marketplace)]?.sku })
        guard case .accepted = assembler.assemble(orderID: "OMS261111-TEST", draft: market, catalog: catalog, promotions: promotions, coupon: nil, soldOut: marketSKUs) else {
            Issue.record("a marketplace order is backordered, not refused"); return
        }
    }

    @Test("the demo catalog: a few hundred SKUs, unique codes, valid barcodes")
    func seed() {
        let products = DemoCatalog.products
        #expect(products.count >= 250)
        #expect(Set(products.map(\.sku)).count == products.count)
        #expect(Set(products.flatMap(\.barcodes)).count == products.count)
        #expect(products.flatMap(\.barcodes).allSatisfy(Product.isValidEAN13))
        #expect(Set(products.map(\.category)) == ["clothing", "electronics", "cosmetics", "fresh", "glassware", "home"])
    }

    @Test("web example: 10% off glassware, then 满300减30 allocated to both lines, free shipping")
    func web() throws {
        guard let (order, applied) = accepted(try assemble(ChannelExamples.payload(WebOrderPayload.self))) else { return }
        #expect(order.goodsTotal == .fen(38_800))
        #expect(applied.map(\.promotionID) == ["DEMO-GLASS-10", "DEMO-M300-30"])
        #expect(applied.map(\.amount) == [.fen(1_290), .fen(3_000)])
        #expect(order.lines.map(\.allocatedDiscount).reduce(.zero, +) == .fen(4_290))
        #expect(order.shippingFee == .zero)
        #expect(order.total == .fen(34_510))
    }

    @Test("each line keeps its product's VAT rate at the time of sale, and the invoice request travels onto the order")
    func taxRatesAndInvoice() throws {
        var catalog = self.catalog
        catalog[ReferenceKey(kind: "sku", code: "GLS-WINEGLASS-1")]?.taxRateBasisPoints = 900
        let payload = try ChannelExamples.payload(WebOrderPayload.self) { $0.invoice = InvoiceRequest(kind: .personal, title: "张三") }
        let draft = try payload.normalize(limits: IntakeLimits(), hasher: hasher).get()
        guard let (order, _) = accepted(assembler.assemble(orderID: "OMS261111-TEST", draft: draft, catalog: catalog, promotions: promotions, coupon: nil)) else { return }
        #expect(order.lines.map(\.sku) == ["CLO-HOOD-NVY-L", "GLS-WINEGLASS-1"])
        #expect(order.lines.map(\.taxRateBasisPoints) == [1_300, 900])
        #expect(order.invoice == InvoiceRequest(kind: .personal, title: "张三"))
    }

    @Test("POS example: member price by loyalty card, no shipping for carry-out")
    func pos() throws {
        guard let (order, _) = accepted(try assemble(ChannelExamples.payload(PosSalePayload.self))) else { return }
        #expect(order.lines.map(\.sku) == ["CLO-TEE-BLK-M"])
        #expect(order.lines[0].unitPrice == .fen(8_910))
        #expect(order.total == .fen(17_820))
    }

    @Test("marketplace example: the platform's prices and discounts are kept as sent")
    func marketplace() throws {
        guard let (order, applied) = accepted(try assemble(ChannelExamples.payload(MarketplaceOrderPayload.self))) else { return }
        #expect(order.lines.map(\.sku) == ["CLO-TEE-BLK-M", "HOM-MUG-1"])
        #expect(order.lines.map(\.allocatedDiscount) == [.fen(1_000), .zero])
        #expect(applied.map(\.promotionID) == ["channel:tmall"])
        #expect(order.total == .fen(22_790))
    }

    @Test("mini-program and phone examples price to the documented totals")
    func miniProgramAndPhone() throws {
        #expect(accepted(try assemble(ChannelExamples.payload(MiniProgramOrderPayload.self)))?.0.total == .fen(22_740))
        let phone = accepted(try assemble(ChannelExamples.payload(PhoneOrderPayload.self)))?.0
        #expect(phone?.total == .fen(17_800))
        #expect(phone?.payment.paidAmount == .zero)
    }

    @Test("a claimed total that differs from the OMS price by one fen is rejected")
    func amountMismatch() throws {
        let outcome = try assemble(ChannelExamples.payload(WebOrderPayload.self) { $0.payment.amountFen = 34_511 })
        guard case .rejected(let reasons) = outcome else { Issue.record("expected rejection"); return }
        #expect(reasons.map(\.code) == ["amount_mismatch"])
    }

    @Test("unknown SKUs are named by line; unknown and inapplicable coupons are refused")
    func unknowns() throws {
        let unknown = try assemble(ChannelExamples.payload(WebOrderPayload.self) { $0.lines[1].sku = "NOPE" })
        guard case .rejected(let reasons) = unknown else { Issue.record("expected rejection"); return }
        #expect(reasons == [RejectionReason(code: "unknown_sku", message: "line 2: SKU is not in the catalog or not active", lineNumber: 2)])

        let noCoupon = try assemble(ChannelExamples.payload(WebOrderPayload.self) { $0.couponCode = "GHOST" })
        guard case .rejected(let couponReasons) = noCoupon else { Issue.record("expected rejection"); return }
        #expect(couponReasons.map(\.code) == ["unknown_coupon"])

        let tooSmall = IssuedCoupon(coupon: Coupon(code: "BIG", value: .amountOff(.fen(5_000)), minimumSpend: .fen(100_000)), expiresAt: nil)
        let small = try assemble(ChannelExamples.payload(WebOrderPayload.self) { $0.couponCode = "BIG" }, coupon: tooSmall)
        guard case .rejected(let smallReasons) = small else { Issue.record("expected rejection"); return }
        #expect(smallReasons.map(\.code) == ["coupon_not_applicable"])
    }

    @Test("a coupon stacks after the promotions and is allocated to the lines")
    func coupon() throws {
        let coupon = IssuedCoupon(coupon: Coupon(code: "C20", value: .amountOff(.fen(2_000))), expiresAt: nil)
        let outcome = try assemble(ChannelExamples.payload(WebOrderPayload.self) {
            $0.couponCode = "C20"
            $0.payment.amountFen = 32_510
        }, coupon: coupon)
        guard let (order, applied) = accepted(outcome) else { return }
        #expect(applied.last?.promotionID == "coupon:C20")
        #expect(order.total == .fen(32_510))
        #expect(order.lines.allSatisfy { $0.allocatedDiscount.minorUnits > 0 })
    }
}
