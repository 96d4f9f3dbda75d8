/// Maps the catalogue's logical topic names to the names on the cluster. With a prefix, several
/// environments (staging next to production, or isolated test runs) share one Kafka cluster.
/// Invariant: `logical(physical(name)) == name`; the empty prefix is the identity.
public struct TopicNamespace: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "") {
        self.prefix = prefix
    }

    public static let none = TopicNamespace()

    public func physical(_ logical: String) -> String {
        prefix.isEmpty ? logical : prefix + logical
    }

    public func logical(_ physical: String) -> String {
        guard !prefix.isEmpty, physical.hasPrefix(prefix) else { return physical }
        return String(physical.dropFirst(prefix.count))
    }
}
