/// Decoding checks what arithmetic relies on: events come from the broker, where anyone with
/// producer rights can write, and a currency other than CNY or an amount near `Int64.max` would
/// otherwise trap later (`+` requires one currency, totals overflow) and crash-loop the consumer.
/// A payload that fails these checks does not decode, so the pipeline dead-letters it.
extension Money {
    /// The largest magnitude an amount on the wire may have: ¥100 billion, far above any order
    /// (intake accepts at most ¥10 million an amount) and far below where sums could overflow.
    public static let wireLimit: Int64 = 10_000_000_000_000

    private enum CodingKeys: String, CodingKey { case minorUnits, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let minorUnits = try container.decode(Int64.self, forKey: .minorUnits)
        let currency = try container.decode(String.self, forKey: .currency)
        guard currency == "CNY" else {
            throw DecodingError.dataCorruptedError(forKey: .currency, in: container, debugDescription: "currency must be CNY")
        }
        guard minorUnits.magnitude <= UInt64(Self.wireLimit) else {
            throw DecodingError.dataCorruptedError(forKey: .minorUnits, in: container, debugDescription: "amount beyond ±\(Self.wireLimit) fen")
        }
        self.init(minorUnits: minorUnits, currency: currency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minorUnits, forKey: .minorUnits)
        try container.encode(currency, forKey: .currency)
    }
}
