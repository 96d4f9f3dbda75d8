import OMSDomain
import Testing

@Suite("PII masking")
struct PIIMaskTests {
    @Test func masksPhoneNameAddress() {
        #expect(PIIMask.phone("13812345678") == "138****5678")
        #expect(PIIMask.phone("123") == "***")
        #expect(PIIMask.name("张三丰") == "张**")
        let address = Address(province: "广东省", city: "深圳市", district: "南山区", street: "科技园 8 栋 1201")
        #expect(PIIMask.address(address) == "广东省 深圳市 ***")
    }

    @Test("free text: digit runs of 7+ are masked, short numbers kept")
    func scrubsFreeText() {
        let scrubbed = PIIMask.scrub("call 13812345678 about order 42, card 6222020200112233445")
        #expect(!scrubbed.contains("13812345678"))
        #expect(!scrubbed.contains("6222020200112233445"))
        #expect(scrubbed.contains("order 42"))
        #expect(scrubbed.contains("138****5678"))
    }

    @Test("JSON previews mask personal fields and keep the rest")
    func previewMasksFields() {
        let json = #"{"receiverName":"李四","receiverPhone":"13900001111","street":"人民路 1 号","sku":"SKU-1","quantity":2}"#
        let preview = PIIMask.preview(json: Array(json.utf8))
        #expect(!preview.contains("李四"))
        #expect(!preview.contains("13900001111"))
        #expect(!preview.contains("人民路"))
        #expect(preview.contains(#""sku":"SKU-1""#))
        #expect(preview.contains(#""quantity":2"#))
    }

    @Test("marketplace payloads (snake_case names) are masked in previews too")
    func previewMasksMarketplaceFields() {
        let json = #"{"buyer_nick":"小明","receiver_name":"王小明","receiver_mobile":"13812345678","receiver_address":"文一西路 969 号","tid":"T1"}"#
        let preview = PIIMask.preview(json: Array(json.utf8))
        for secret in ["小明", "王小明", "13812345678", "文一西路"] { #expect(!preview.contains(secret)) }
        #expect(preview.contains(#""tid":"T1""#))
    }
}
