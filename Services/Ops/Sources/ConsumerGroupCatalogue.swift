import OMSDomain

/// The consumer groups each service runs and the topics each reads, named as the service runtime
/// names them (`oms.<service>.<suffix>`; every group also reads the service's redrive topic).
/// Invariant: in step with the services' `pipelines` (intake: `workers` on the raw topic and
/// `status` downstream; every other service with handlers: one `events` group on its catalogue
/// topics).
public struct ConsumerGroup: Sendable, Hashable, Codable {
    public var service: ServiceName
    public var suffix: String
    /// Logical topic names (without a prefix), the redrive topic last.
    public var topics: [String]

    public var name: String { "oms.\(service.rawValue).\(suffix)" }

    public static func groups(of service: ServiceName) -> [ConsumerGroup] {
        let consumed = TopicCatalogue.topicsConsumed(by: service)
        switch service {
        case .intake:
            return [ConsumerGroup(service: service, suffix: "workers", topics: [TopicCatalogue.intakeRaw, service.redriveTopic]),
                    ConsumerGroup(service: service, suffix: "status", topics: consumed.filter { $0 != TopicCatalogue.intakeRaw } + [service.redriveTopic])]
        default:
            return [ConsumerGroup(service: service, suffix: "events", topics: consumed + [service.redriveTopic])]
        }
    }
}
