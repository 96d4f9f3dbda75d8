import Foundation

/// RFM segmentation (recency, frequency, monetary) of customers as of one instant. Each measure is
/// scored 1-5 by where the customer stands among all customers (5 = most recent, most orders,
/// most spent; equal values get equal scores), then one segment is assigned by the first rule that
/// holds: new (one order, recently), at risk (bought often, then a long silence), high value (top
/// spenders who also buy often, still active), lapsed (silent), regular.
/// Invariant: deterministic for the same activities and instant, whatever their input order.
struct CustomerSegmentation: Sendable {
    /// What the OMS knows of one customer: pseudonymous key, last order, orders and net spend.
    struct Activity: Sendable, Equatable {
        var customerKey: String
        var lastOrderAt: Date
        var orders: Int
        var monetaryFen: Int64
    }

    enum Segment: String, CaseIterable, Sendable, Codable {
        case highValue, atRisk, new, regular, lapsed
    }

    struct Scored: Sendable, Equatable {
        var activity: Activity
        var recencyDays: Int
        var recencyScore: Int
        var frequencyScore: Int
        var monetaryScore: Int
        var segment: Segment
    }

    /// Thresholds in days and orders; the defaults suit a retailer whose customers buy monthly.
    struct Policy: Sendable, Equatable {
        var newWithinDays = 30
        var frequentOrders = 3
        var silenceDays = 90
    }

    var policy = Policy()

    func segment(_ activities: [Activity], asOf: Date) -> [Scored] {
        let recency = activities.map { max(0, Int(asOf.timeIntervalSince($0.lastOrderAt) / 86_400)) }
        // Higher is better for every score, so recency is scored on its negation.
        let recencyScores = Self.scores(recency.map { -Int64($0) })
        let frequencyScores = Self.scores(activities.map { Int64($0.orders) })
        let monetaryScores = Self.scores(activities.map(\.monetaryFen))
        return activities.indices.map { index in
            let activity = activities[index]
            let days = recency[index]
            let (f, m) = (frequencyScores[index], monetaryScores[index])
            let segment: Segment
            if activity.orders == 1 && days <= policy.newWithinDays {
                segment = .new
            } else if activity.orders >= policy.frequentOrders && days > policy.silenceDays {
                segment = .atRisk
            } else if days <= policy.silenceDays && (m == 5 || (m >= 4 && f >= 4)) {
                segment = .highValue
            } else if days > policy.silenceDays {
                segment = .lapsed
            } else {
                segment = .regular
            }
            return Scored(activity: activity, recencyDays: days, recencyScore: recencyScores[index], frequencyScore: f, monetaryScore: m, segment: segment)
        }
        .sorted { ($0.segment.rawValue, -$0.activity.monetaryFen, $0.activity.customerKey) < ($1.segment.rawValue, -$1.activity.monetaryFen, $1.activity.customerKey) }
    }

    /// Quintile scores 1-5: 1 + 5 x (share of customers with a strictly lower value), capped at 5.
    static func scores(_ values: [Int64]) -> [Int] {
        guard !values.isEmpty else { return [] }
        let sorted = values.sorted()
        return values.map { value in
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < value { low = middle + 1 } else { high = middle }
            }
            return min(5, 1 + (5 * low) / sorted.count)
        }
    }
}
