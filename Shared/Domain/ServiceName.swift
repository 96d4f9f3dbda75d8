/// The OMS services. Each owns the PostgreSQL schema of the same name and a dead-letter topic.
public enum ServiceName: String, Codable, Sendable, CaseIterable {
    case intake, risk, inventory, fulfillment, logistics, aftersales, insights, integrations

    /// The PostgreSQL schema this service owns (and only it writes).
    public var schema: String { rawValue }
    /// Where this service puts messages it cannot process.
    public var deadLetterTopic: String { "oms.\(rawValue).dlq" }
    /// Where ops redrive dead letters to, so only this service sees them again.
    public var redriveTopic: String { "oms.\(rawValue).redrive" }
}
