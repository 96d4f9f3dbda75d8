import Foundation
import IntakeService
import OMSDomain
import OMSPlatform
import Testing

@Suite("Marketplace payload normalization (stateless edge checks)")
struct MarketplaceNormalizerTests {
    let hasher = PIIHasher(secret: "test")

    func payload(_ edit: (inout MarketplaceOrderPayload) -> Void = { _ in }) throws -> MarketplaceOrderPayload {
        let json = """
        {"platform":"tmall","tid":"T20261111000001","buyer_nick":"小明","receiver_name":"王小明","receiver_mobile":"13812345678",
         "receiver_state":"浙江省","receiver_city":"杭州市","receiver_district":"余杭区","receiver_address":"文一西路 969 号",
         "receiver_zip":"311121","items":[{"outer_sku_id":"SKU-TEE-M-BLK","num":2,"price":"99.00","discount_fee":"10.00"},
         {"outer_sku_id":"SKU-MUG","num":1,"price":"39.90"}],"payment":"242.90","post_fee":"15.00",
         "pay_time":"2026-11-11 00:00:05","created":"2026-11-11 00:00:01"}
        """
        var decoded = try JSONDecoder().decode(MarketplaceOrderPayload.self, from: Data(json.utf8))
        edit(&decoded)
        return decoded
    }

    @Test("a valid order becomes a draft in fen with UTC times")
    func validOrder() throws {
        let draft = try payload().normalize(limits: IntakeLimits(), hasher: hasher).get()
        #expect(draft.channelOrderID == "tmall:T20261111000001")
        #expect(draft.lines.map(\.channelUnitPrice) == [.fen(9_900), .fen(3_990)])
        #expect(draft.lines[0].reference == .outerID("SKU-TEE-M-BLK"))
        #expect(draft.pricing == .channel)
        #expect(draft.lines[0].channelDiscount == .fen(1_000))
        #expect(draft.claimedTotal == .fen(24_290))
        #expect(draft.channelShippingFee == .fen(1_500))
        // 00:00:05 in Shanghai is 16:00:05 UTC the day before.
        #expect(draft.payment.paidAt.map(Timestamps.format) == "2026-11-10T16:00:05.000Z")
        #expect(draft.deliveryAddress?.province == "浙江省")
        // The buyer's nickname is only ever used inside a keyed hash.
        #expect(draft.customer.customerKey.hasPrefix("c_") && !draft.customer.customerKey.contains("小明"))
    }

    @Test("every bad field is reported at once, named by its path")
    func fieldErrors() throws {
        let result = (try payload {
            $0.receiver_mobile = "1381234"
            $0.receiver_zip = "3111"
            $0.items[0].num = 0
            $0.items[1].price = "39.999"
            $0.pay_time = "2026/11/11 00:00:05"
            $0.receiver_address = " "
        }).normalize(limits: IntakeLimits(), hasher: hasher)
        guard case .failure(let rejected) = result else { Issue.record("expected failure"); return }
        let issues = rejected.issues
        let fields = Set(issues.map(\.field))
        #expect(fields == ["receiver_mobile", "receiver_zip", "items[0].num", "items[1].price", "pay_time", "receiver_address"])
        #expect(!issues.description.contains("1381234"))
    }

    @Test("the paid amount must reconcile with items, discounts and shipping")
    func paymentReconciles() throws {
        guard case .failure(let rejected) = try payload({ $0.payment = "242.91" }).normalize(limits: IntakeLimits(), hasher: hasher) else {
            Issue.record("expected failure"); return
        }
        #expect(rejected.issues == [FieldIssue("payment", "does not equal item totals - discounts + post_fee")])
    }

    @Test("Shanghai local times: valid calendar dates only")
    func shanghaiTimes() {
        #expect(ShanghaiTime.parse("2026-01-01 08:00:00").map(Timestamps.format) == "2026-01-01T00:00:00.000Z")
        #expect(ShanghaiTime.parse("2026-02-30 08:00:00") == nil)
        #expect(ShanghaiTime.parse("2026-01-01T08:00:00") == nil)
    }
}
