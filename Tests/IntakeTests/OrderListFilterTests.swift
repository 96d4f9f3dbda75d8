import Foundation
import OMSDomain
import OMSPlatform
import Testing
@testable import IntakeService

/// The order listing's filter: Beijing calendar days, a bounded range, clear field errors.
struct OrderListFilterTests {
    // 2026-12-07 01:00 UTC is 09:00 on the 7th in Beijing.
    let now = Date(timeIntervalSince1970: 1_796_605_200)

    @Test func datesAreBeijingDaysBothIncluded() throws {
        let filter = try OrderListFilter(["from": "2026-12-01", "to": "2026-12-07", "channel": "web", "status": "held"], now: now)
        // Midnight in Beijing is 16:00 UTC the day before.
        #expect(filter.from == Timestamps.parse("2026-11-30T16:00:00Z"))
        #expect(filter.to == Timestamps.parse("2026-12-07T16:00:00Z"))
        #expect(filter.channel == "web" && filter.status == "held" && filter.limit == 50)
    }

    @Test func withoutDatesTheLastThirtyDays() throws {
        let filter = try OrderListFilter(["status": "backordered"], now: now)
        #expect(filter.to == Timestamps.parse("2026-12-07T16:00:00Z"))
        #expect(filter.to.timeIntervalSince(filter.from) == 30 * 86_400)
    }

    @Test func badFieldsAreNamed() {
        for (query, field) in [(["status": "lost"], "status"), (["channel": "fax"], "channel"), (["from": "2026-02-30"], "from"),
                               (["from": "2026-12-07", "to": "2026-12-01"], "from"), (["from": "2026-01-01", "to": "2026-12-01"], "to"),
                               (["channel": "web", "limit": "0"], "limit"), (["channel": "web", "before": "yesterday"], "before")] {
            #expect {
                try OrderListFilter(query, now: now)
            } throws: { error in
                (error as? APIError)?.fields.contains { $0.field == field } == true
            }
        }
    }
}
