import OMSDomain
import OMSPlatform

/// A consumer group of a service as ops tools see it: named as the service runtime names it
/// (`oms.<service>.<suffix>`), with every topic it reads, the redrive topic last. Invariant: read
/// from the service's own `consumerGroups` declaration, which the runtime refuses to deviate from.
public struct ConsumerGroup: Sendable, Hashable, Codable {
    public var service: ServiceName
    public var suffix: String
    /// Logical topic names (without a prefix), the redrive topic last.
    public var topics: [String]

    public var name: String { "oms.\(service.rawValue).\(suffix)" }

    public static func groups(of service: ServiceName) -> [ConsumerGroup] {
        SuiteServices.type(of: service).consumerGroups.map {
            ConsumerGroup(service: service, suffix: $0.suffix, topics: $0.topics + [service.redriveTopic])
        }
    }
}
