import Foundation
import Logging
import OMSDomain
import OMSKafka

/// `omsctl dlq`: lists a service's dead letters and sends chosen ones back to **that service
/// only** (its `oms.<service>.redrive` topic, which no other service reads), byte for byte with
/// the dead-letter headers kept (so a second failure still points at the original topic and
/// offset), `oms-redrive-count` incremented and `oms-redriven-from` naming the entry.
/// Invariant: an entry is redriven at most once (a redrive record names it); an entry redriven
/// `maxRedrives` times is quarantined and not redriven again.
public struct DeadLetterDesk: Sendable {
    public static let redrivenFrom = "oms-redriven-from"

    let brokers: String
    let namespace: TopicNamespace
    let maxRedrives: Int
    let logger: Logger

    public init(brokers: String, namespace: TopicNamespace, maxRedrives: Int = 3, logger: Logger) {
        self.brokers = brokers
        self.namespace = namespace
        self.maxRedrives = maxRedrives
        self.logger = logger
    }

    /// Every dead letter of `services` (all entries, open or not), oldest first per partition.
    public func entries(of services: [ServiceName]) async throws -> [DeadLetterEntry] {
        let reader = TopicReader(brokers: brokers, logger: logger)
        let dlq = Dictionary(uniqueKeysWithValues: services.map { (namespace.physical($0.deadLetterTopic), $0) })
        let redrive = Dictionary(uniqueKeysWithValues: services.map { (namespace.physical($0.redriveTopic), $0) })
        let records = try await reader.readAll(Array(dlq.keys) + Array(redrive.keys))
        var redriven = Set<String>()
        for record in records {
            if let service = redrive[record.topic], let from = record.header(Self.redrivenFrom) { redriven.insert("\(service.rawValue)/\(from)") }
        }
        return records.compactMap { record -> DeadLetterEntry? in
            guard let service = dlq[record.topic] else { return nil }
            return DeadLetterEntry(record: record, service: service, redriven: redriven.contains("\(service.rawValue)/\(record.partition):\(record.offset)"), maxRedrives: maxRedrives)
        }.sorted { ($0.service.rawValue, $0.id.count, $0.id) < ($1.service.rawValue, $1.id.count, $1.id) }
    }

    public struct RedriveResult: Sendable, Codable {
        public var redriven: [String]
        public var quarantined: [String]
        public var alreadyRedriven: [String]
    }

    /// Redrives the open entries of `service` that `include` selects; with `dryRun`, only says
    /// which it would redrive, quarantine-skip or find already redriven, and sends nothing.
    public func redrive(service: ServiceName, dryRun: Bool = false, include: (DeadLetterEntry) -> Bool) async throws -> RedriveResult {
        let reader = TopicReader(brokers: brokers, logger: logger)
        let dlqTopic = namespace.physical(service.deadLetterTopic), redriveTopic = namespace.physical(service.redriveTopic)
        let records = try await reader.readAll([dlqTopic, redriveTopic])
        let done = Set(records.filter { $0.topic == redriveTopic }.compactMap { $0.header(Self.redrivenFrom) })
        var result = RedriveResult(redriven: [], quarantined: [], alreadyRedriven: [])
        var outgoing: [KafkaOutgoingMessage] = []
        for record in records where record.topic == dlqTopic {
            let entry = DeadLetterEntry(record: record, service: service, redriven: done.contains("\(record.partition):\(record.offset)"), maxRedrives: maxRedrives)
            guard include(entry) else { continue }
            switch entry.state {
            case .redriven: result.alreadyRedriven.append(entry.id)
            case .quarantined: result.quarantined.append(entry.id)
            case .open:
                var headers = record.headers.filter { $0.key != EventHeader.redriveCount && $0.key != Self.redrivenFrom }
                headers.append(KafkaHeader(key: EventHeader.redriveCount, text: String(entry.redriveCount + 1)))
                headers.append(KafkaHeader(key: Self.redrivenFrom, text: entry.id))
                outgoing.append(KafkaOutgoingMessage(topic: redriveTopic, key: record.key ?? [], value: record.value, headers: headers))
                result.redriven.append(entry.id)
            }
        }
        guard !outgoing.isEmpty, !dryRun else { return result }
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: brokers, clientID: "omsctl-redrive"))
        configuration.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let reports = try await producer.send(batch: outgoing)
        await producer.shutdown()
        for report in reports { _ = try report.get() }
        return result
    }
}
