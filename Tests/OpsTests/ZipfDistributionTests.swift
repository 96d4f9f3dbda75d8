import OMSDemo
import OMSDomain
import Testing

@Suite("Zipf popularity of generated demand")
struct ZipfDistributionTests {
    @Test("probabilities follow 1/rank^s and sum to one")
    func probabilities() {
        let zipf = ZipfDistribution(count: 100, exponent: 1)
        let harmonic = (1...100).reduce(0.0) { (sum: Double, k: Int) in sum + 1 / Double(k) }
        #expect(abs(zipf.probability(ofRank: 0) - 1 / harmonic) < 1e-9)
        #expect(abs(zipf.probability(ofRank: 9) - 1 / (10 * harmonic)) < 1e-9)
        let total = (0..<100).reduce(0.0) { (sum: Double, rank: Int) in sum + zipf.probability(ofRank: rank) }
        #expect(abs(total - 1) < 1e-9)
        let uniform = ZipfDistribution(count: 4, exponent: 0)
        #expect((0..<4).allSatisfy { abs(uniform.probability(ofRank: $0) - 0.25) < 1e-12 })
    }

    @Test("sampling maps [0, 1) onto ranks monotonically, the head getting its share")
    func sampling() {
        let zipf = ZipfDistribution(count: 200, exponent: 1)
        #expect(zipf.sample(0) == 0)
        #expect(zipf.sample(0.999_999) == 199)
        var previous = 0
        var head = 0
        for step in 0..<10_000 {
            let rank = zipf.sample(Double(step) / 10_000)
            #expect(rank >= previous)
            previous = rank
            if rank < 10 { head += 1 }
        }
        // The ten most popular of 200 SKUs take H(10)/H(200) ~ 50 % of the draws.
        func harmonic(_ n: Int) -> Double { (1...n).reduce(0.0) { (sum: Double, k: Int) in sum + 1 / Double(k) } }
        let expected = harmonic(10) / harmonic(200)
        #expect(abs(Double(head) / 10_000 - expected) < 0.01)
    }
}
