import OMSDomain

/// The share of each sales channel in generated load, e.g. `web=50,miniprogram=20,marketplace=15,
/// phone=10,pos=5`. Invariant: weights are positive and name each channel at most once; order `n`
/// always gets the same channel, and any window of `total` consecutive orders has each channel
/// exactly its weight times.
public struct ChannelMix: Sendable, CustomStringConvertible {
    public let weights: [(channel: OMSDomain.Channel, weight: Int)]
    let slots: [OMSDomain.Channel]

    public static let webOnly = try! ChannelMix(parsing: "web=1")
    /// A promotion-day mix: own web shop and mini-program lead, marketplaces, phone and stores follow.
    public static let promotionDay = try! ChannelMix(parsing: "web=45,miniprogram=25,marketplace=15,phone=10,pos=5")

    public init(parsing text: String) throws {
        var weights: [(OMSDomain.Channel, Int)] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let channel = OMSDomain.Channel(rawValue: pair[0]), let weight = Int(pair[1]), weight > 0, weight <= 1_000 else {
                throw OpsFailure("channel mix: expected channel=weight pairs (channels \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", ")), weights 1-1000), got '\(part)'")
            }
            guard !weights.contains(where: { $0.0 == channel }) else { throw OpsFailure("channel mix: \(channel.rawValue) named twice") }
            weights.append((channel, weight))
        }
        guard !weights.isEmpty else { throw OpsFailure("channel mix: empty") }
        self.weights = weights
        // Spread each channel over the cycle instead of runs of one channel.
        let total = weights.reduce(0) { $0 + $1.1 }
        var slots: [(position: Double, channel: OMSDomain.Channel)] = []
        for (channel, weight) in weights {
            for k in 0..<weight { slots.append(((Double(k) + 0.5) / Double(weight) * Double(total), channel)) }
        }
        self.slots = slots.sorted { $0.position < $1.position }.map(\.channel)
    }

    public func channel(for number: Int) -> OMSDomain.Channel { slots[number % slots.count] }

    public var description: String { weights.map { "\($0.channel.rawValue)=\($0.weight)" }.joined(separator: ",") }
}
