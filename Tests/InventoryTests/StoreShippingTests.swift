import Foundation
import InventoryService
import Testing

@Suite("Ship-from-store terms: opening hours in Asia/Shanghai and daily capacity")
struct StoreShippingTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("HH:MM parses to minutes; anything else is refused")
    func parsesTimes() {
        #expect(StoreShipping.minutes("09:30") == 570)
        #expect(StoreShipping.minutes("00:00") == 0)
        #expect(StoreShipping.minutes("24:00") == 1_440)
        for bad in ["9:30", "24:01", "12:60", "ab:cd", "12-30", "", "12:3", "-1:00"] { #expect(StoreShipping.minutes(bad) == nil, "\(bad)") }
    }

    @Test("Shanghai local minute and day: UTC+8, across midnight")
    func shanghaiClock() {
        #expect(StoreShipping.shanghaiMinute(Self.utc("2026-11-11T01:30:00Z")) == 570)
        #expect(StoreShipping.shanghaiMinute(Self.utc("2026-11-10T16:30:00Z")) == 30)
        #expect(StoreShipping.shanghaiDay(Self.utc("2026-11-10T16:30:00Z")) == "2026-11-11")
        #expect(StoreShipping.shanghaiDay(Self.utc("2026-11-10T15:59:59Z")) == "2026-11-10")
    }

    @Test("open from opensAt inclusive to closesAt exclusive; no hours is always open")
    func openingHours() {
        let store = StoreShipping(opensAt: "10:00", closesAt: "22:00")
        #expect(store.isOpen(at: Self.utc("2026-11-11T02:00:00Z")))        // 10:00
        #expect(store.isOpen(at: Self.utc("2026-11-11T13:59:00Z")))        // 21:59
        #expect(!store.isOpen(at: Self.utc("2026-11-11T14:00:00Z")))       // 22:00
        #expect(!store.isOpen(at: Self.utc("2026-11-11T01:59:00Z")))       // 09:59
        #expect(StoreShipping().isOpen(at: Self.utc("2026-11-11T19:00:00Z")))
    }

    @Test("capacity: room while used is below it; none without a limit; zero takes nothing")
    func capacity() {
        #expect(StoreShipping(dailyCapacity: 2).hasRoom(used: 1))
        #expect(!StoreShipping(dailyCapacity: 2).hasRoom(used: 2))
        #expect(!StoreShipping(dailyCapacity: 0).hasRoom(used: 0))
        #expect(StoreShipping().hasRoom(used: 10_000))
    }
}
