/// One consumer group a service declares, without its handlers: the group's suffix (the group id
/// is `oms.<service>.<suffix>`) and the business topics it reads (the runtime adds the service's
/// redrive topic). Invariant: a service runs only declared groups (`buildApplication` refuses
/// another), so ops tools that list, lag-check or replay groups read the same declarations.
public struct ConsumerGroupSpec: Sendable, Hashable {
    public var suffix: String
    public var topics: [String]
    /// Whether a deployment may run a later generation, `<suffix>-g<N>` (a projection rebuilt from
    /// the beginning of its topics beside the old one).
    public var generational: Bool

    public init(suffix: String, topics: [String], generational: Bool = false) {
        self.suffix = suffix
        self.topics = topics
        self.generational = generational
    }

    /// Whether `pipeline` is this group (or, for a generational group, one of its generations).
    public func admits(_ pipeline: PipelineSpec) -> Bool {
        guard pipeline.topics == topics else { return false }
        if pipeline.groupSuffix == suffix { return true }
        guard generational, pipeline.groupSuffix.hasPrefix(suffix + "-g") else { return false }
        let generation = pipeline.groupSuffix.dropFirst(suffix.count + 2)
        return !generation.isEmpty && generation.allSatisfy(\.isNumber)
    }
}
