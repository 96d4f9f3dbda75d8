import OMSPlatform

/// Risk's own settings. Invariant: every value in its documented range (a bad one refuses start-up).
public struct RiskConfiguration: Sendable {
    /// Held orders older than this are overdue (`OMS_REVIEW_SLA_MINUTES`, 1-10080, default 120).
    public var reviewSLAMinutes: Int = 120

    public init() {}

    public init(_ environment: EnvironmentReader) throws {
        reviewSLAMinutes = try environment.integer("OMS_REVIEW_SLA_MINUTES", 120, 1...10_080)
    }
}
