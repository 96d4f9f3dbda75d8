/// A delivery company and one of its service levels. Invariant: `code` is unique and is the
/// prefix of its tracking numbers.
public struct Carrier: Codable, Hashable, Sendable {
    public enum ServiceLevel: String, Codable, Sendable { case sameDay, express, standard, economy }

    public var code: String
    public var name: String
    public var serviceLevel: ServiceLevel
    /// Provinces served; empty means nationwide.
    public var coverage: [String]
    public var insured: Bool
    /// 0...100, from delivery performance.
    public var qualityScore: Int

    public init(code: String, name: String, serviceLevel: ServiceLevel, coverage: [String] = [], insured: Bool = false, qualityScore: Int = 80) {
        self.code = code
        self.name = name
        self.serviceLevel = serviceLevel
        self.coverage = coverage
        self.insured = insured
        self.qualityScore = qualityScore
    }
}
