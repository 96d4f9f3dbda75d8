import Foundation
import OMSDemo

/// Popularity skew for generated demand: rank `k` (0-based) is drawn with probability proportional
/// to 1 / (k + 1)^s. Invariant: `sample` maps a uniform value in [0, 1) to a rank in 0..<count,
/// monotonically (a larger uniform value never gives a more popular rank).
public struct ZipfDistribution: Sendable {
    public let count: Int
    public let exponent: Double
    /// Cumulative probabilities; the last is 1.
    let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count > 0 && exponent >= 0, "Zipf needs at least one rank and a non-negative exponent")
        self.count = count
        self.exponent = exponent
        var weights = (1...count).map { 1 / pow(Double($0), exponent) }
        let total = weights.reduce(0, +)
        var running = 0.0
        for index in weights.indices {
            running += weights[index] / total
            weights[index] = running
        }
        weights[count - 1] = 1
        cumulative = weights
    }

    /// The rank for a uniform value in [0, 1).
    public func sample(_ uniform: Double) -> Int {
        var low = 0, high = count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > uniform { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Probability of one rank.
    public func probability(ofRank rank: Int) -> Double {
        rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1]
    }
}
