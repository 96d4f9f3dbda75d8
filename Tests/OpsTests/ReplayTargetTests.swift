import Foundation
import OMSOps
import Testing

@Suite("omsctl replay targets: Kafka's reset-offsets conventions")
struct ReplayTargetTests {
    @Test("--to-datetime takes an explicit zone and defaults to UTC")
    func datetimes() throws {
        let utc = try ReplayTarget.parseDatetime("2026-11-11T00:00:00")
        #expect(utc == Date(timeIntervalSince1970: 1_794_355_200))
        #expect(try ReplayTarget.parseDatetime("2026-11-11T08:00:00+08:00") == utc)
        #expect(try ReplayTarget.parseDatetime("2026-11-11T00:00:00Z") == utc)
        #expect(try ReplayTarget.parseDatetime("2026-11-11T00:00:00.250Z") == utc.addingTimeInterval(0.25))
        for bad in ["2026-11-11", "2026-11-11 00:00:00", "yesterday", "2026-13-40T00:00:00"] {
            #expect(throws: OpsFailure.self) { try ReplayTarget.parseDatetime(bad) }
        }
    }

    @Test("--by-duration takes PnDTnHnMnS")
    func durations() throws {
        #expect(try ReplayTarget.parseDuration("PT30M") == 1_800)
        #expect(try ReplayTarget.parseDuration("P1DT2H") == 93_600)
        #expect(try ReplayTarget.parseDuration("PT1.5S") == 1.5)
        for bad in ["P", "PT", "30m", "PT0S", "-PT1H"] {
            #expect(throws: OpsFailure.self) { try ReplayTarget.parseDuration(bad) }
        }
    }

    @Test("offsets stay between the low watermark and the higher of the high watermark and the committed offset")
    func resolution() {
        #expect(ReplayTarget.earliest.resolve(current: 50, low: 10, high: 100, timeOffset: nil) == 10)
        #expect(ReplayTarget.offset(5).resolve(current: 50, low: 10, high: 100, timeOffset: nil) == 10)
        #expect(ReplayTarget.offset(500).resolve(current: 50, low: 10, high: 100, timeOffset: nil) == 100)
        #expect(ReplayTarget.shift(-20).resolve(current: 50, low: 10, high: 100, timeOffset: nil) == 30)
        #expect(ReplayTarget.shift(-20).resolve(current: nil, low: 10, high: 100, timeOffset: nil) == 10)
        // A broker that undercounts the high watermark never pulls a shift below the committed offset.
        #expect(ReplayTarget.shift(-1).resolve(current: 120, low: 0, high: 100, timeOffset: nil) == 119)
        #expect(ReplayTarget.datetime(Date()).resolve(current: 50, low: 10, high: 100, timeOffset: 42) == 42)
        // No record that late: the end, so nothing is re-read.
        #expect(ReplayTarget.duration(60).resolve(current: 50, low: 10, high: 100, timeOffset: -1) == 100)
    }
}
