import OMSDomain
import OMSOps
import Testing

@Suite("Load generator channel mix")
struct ChannelMixTests {
    @Test("every window of the weights' total has each channel exactly its weight, spread out")
    func proportions() throws {
        let mix = try ChannelMix(parsing: "web=5,miniprogram=3,pos=2")
        var counts: [Channel: Int] = [:]
        for n in 0..<10 { counts[mix.channel(for: n), default: 0] += 1 }
        #expect(counts == [.web: 5, .miniprogram: 3, .pos: 2])
        #expect(mix.channel(for: 7) == mix.channel(for: 17))
        // Not one run of five web orders first.
        #expect((0..<5).map(mix.channel(for:)) != Array(repeating: .web, count: 5))
        #expect(ChannelMix.promotionDay.description == "web=45,miniprogram=25,marketplace=15,phone=10,pos=5")
    }

    @Test("bad mixes are refused with the reason")
    func refusals() {
        for text in ["", "web", "web=0", "fax=3", "web=2,web=3", "web=-1", "web=1001"] {
            #expect(throws: OpsFailure.self, "\(text)") { try ChannelMix(parsing: text) }
        }
    }
}
