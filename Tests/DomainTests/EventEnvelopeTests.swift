import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform
import Testing

struct SampleEvent: DomainEvent, Equatable {
    static let eventType = "sample.happened"
    static let schemaVersion = 2
    static let supportedSchemaVersions = 1...2
    var orderID: String
    var amount: Money
    var at: Date
}

@Suite("Event envelope and topic catalogue")
struct EventEnvelopeTests {
    @Test("an envelope survives the trip through Kafka headers, key and value")
    func kafkaRoundTrip() throws {
        let cause = try EventEnvelope.make(SampleEvent(orderID: "O-1", amount: .fen(1), at: Date()), orderID: "O-1", producer: .intake)
        let body = SampleEvent(orderID: "O-1", amount: .fen(12_345), at: Date(timeIntervalSince1970: 1_700_000_000.125))
        let envelope = try EventEnvelope.make(body, orderID: "O-1", producer: .risk, causedBy: cause)
        #expect(envelope.correlationID == cause.correlationID)
        #expect(envelope.causationID == cause.eventID)

        let message = envelope.kafkaMessage(topic: "t")
        let record = KafkaRecord(topic: "t", partition: 0, offset: 7, key: message.key, value: message.value, headers: message.headers, timestampMilliseconds: nil)
        let decoded = try EventEnvelope(record: record)
        #expect(decoded.eventID == envelope.eventID)
        #expect(decoded.type == "sample.happened")
        #expect(decoded.schemaVersion == 2)
        #expect(decoded.orderID == "O-1")
        #expect(decoded.producer == .risk)
        #expect(abs(decoded.occurredAt.timeIntervalSince(envelope.occurredAt)) < 0.001)
        #expect(try decoded.decode(SampleEvent.self) == body)
    }

    @Test("a missing or invalid header is a permanent failure naming the header")
    func missingHeader() throws {
        let envelope = try EventEnvelope.make(SampleEvent(orderID: "O", amount: .zero, at: Date()), orderID: "O", producer: .intake)
        var message = envelope.kafkaMessage(topic: "t")
        message.headers.removeAll { $0.key == EventHeader.eventID }
        let record = KafkaRecord(topic: "t", partition: 0, offset: 0, key: message.key, value: message.value, headers: message.headers, timestampMilliseconds: nil)
        #expect(throws: EventDecodingError.missingHeader(EventHeader.eventID)) { try EventEnvelope(record: record) }
        #expect(FailureClass.classify(EventDecodingError.missingHeader("x")) == .permanent("missing header x"))
    }

    @Test("unsupported schema versions are refused")
    func unsupportedVersion() throws {
        var envelope = try EventEnvelope.make(SampleEvent(orderID: "O", amount: .zero, at: Date()), orderID: "O", producer: .intake)
        envelope.schemaVersion = 3
        #expect(throws: EventDecodingError.unsupportedVersion(type: "sample.happened", version: 3)) { try envelope.decode(SampleEvent.self) }
    }

    @Test("a malformed payload names the field, not the value")
    func malformedPayload() throws {
        var envelope = try EventEnvelope.make(SampleEvent(orderID: "O", amount: .zero, at: Date()), orderID: "O", producer: .intake)
        envelope.payload = Array(#"{"orderID":"13812345678","amount":{"minorUnits":"x","currency":"CNY"},"at":"2026-01-01T00:00:00Z"}"#.utf8)
        do {
            _ = try envelope.decode(SampleEvent.self)
            Issue.record("decoding should fail")
        } catch let error as EventDecodingError {
            #expect(error.description.contains("amount.minorUnits"))
            #expect(!error.description.contains("13812345678"))
        }
    }

    @Test("the catalogue is consistent: unique names, every service has its dead-letter topic, every consumed topic exists")
    func catalogue() {
        let names = TopicCatalogue.all.map(\.name)
        #expect(Set(names).count == names.count)
        for service in ServiceName.allCases {
            #expect(names.contains(service.deadLetterTopic))
            #expect(names.contains(service.redriveTopic))
        }
        #expect(TopicCatalogue.topicsConsumed(by: .risk) == [TopicCatalogue.orders])
        #expect(TopicCatalogue.topicsConsumed(by: .insights).count == TopicCatalogue.business.count - 1)
        #expect(TopicCatalogue.spec(named: TopicCatalogue.intakeRaw)?.partitions == 12)
        // Every type a topic carries (except the raw channel payloads) has its decodable type.
        let carried = Set(TopicCatalogue.business.flatMap(\.eventTypes)).subtracting(["intake.raw-order"])
        #expect(carried == Set(DomainEventCatalogue.byName.keys))
    }

    @Test("the event catalogue validates an envelope: its type decodes the payload at a known version")
    func validation() throws {
        let verified = try EventEnvelope.make(OrderHeld(orderID: "O-1", score: 70, findings: [], heldAt: Date()), orderID: "O-1", producer: .risk)
        try DomainEventCatalogue.validate(verified)
        var future = verified
        future.schemaVersion = 99
        #expect(throws: EventDecodingError.unsupportedVersion(type: "order.held", version: 99)) { try DomainEventCatalogue.validate(future) }
        var garbage = verified
        garbage.payload = Array("{\"orderID\":1}".utf8)
        #expect(throws: (any Error).self) { try DomainEventCatalogue.validate(garbage) }
        var unknown = verified
        unknown.type = "order.teleported"
        #expect(throws: EventDecodingError.self) { try DomainEventCatalogue.validate(unknown) }
    }

    @Test("dead-letter messages keep the original bytes and name origin, reason and attempts")
    func deadLetterHeaders() {
        let record = KafkaRecord(topic: "oms.orders", partition: 3, offset: 99, key: Array("O-9".utf8), value: [0xff, 0x00], headers: [KafkaHeader(key: "x", text: "y")], timestampMilliseconds: nil)
        let message = DeadLetter.message(for: record, service: .risk, reason: "bad phone 13812345678", attempts: 2)
        #expect(message.topic == "oms.risk.dlq")
        #expect(message.payload == [0xff, 0x00])
        #expect(message.key == Array("O-9".utf8))
        let headers = Dictionary(message.headers.map { ($0.key, $0.text) }, uniquingKeysWith: { $1 })
        #expect(headers[EventHeader.dlqOriginalTopic] == "oms.orders")
        #expect(headers[EventHeader.dlqOriginalPartition] == "3")
        #expect(headers[EventHeader.dlqOriginalOffset] == "99")
        #expect(headers[EventHeader.dlqAttempts] == "2")
        #expect(headers[EventHeader.dlqService] == "risk")
        #expect(headers[EventHeader.dlqError] == "bad phone 138****5678")
        #expect(headers["x"] == "y")
    }

    @Test("offsets to commit are the highest offset + 1 per partition")
    func commitPositions() {
        let records = [(0, 5), (0, 7), (1, 2), (0, 6)].map { KafkaRecord(topic: "t", partition: Int32($0.0), offset: Int64($0.1), key: nil, value: [], headers: [], timestampMilliseconds: nil) }
        let positions = KafkaConsumer.positions(after: records)
        #expect(positions.map(\.offset) == [8, 3])
        #expect(positions.map(\.partition) == [0, 1])
    }

    @Test("configuration reads the environment and refuses bad numbers")
    func configuration() throws {
        let config = try ServiceConfiguration(service: .inventory, environment: [
            "OMS_DATABASE_URL": "postgres://u:p@db.local:6543/omsdb", "OMS_BATCH_SIZE": "1000",
            "OMS_KAFKA_PROPERTY_SECURITY_PROTOCOL": "SASL_SSL", SecretsRequirement.developmentModeVariable: "true",
        ])
        #expect(config.httpPort == 8083)
        #expect(config.database.host == "db.local")
        #expect(config.database.port == 6543)
        #expect(config.database.database == "omsdb")
        #expect(config.database.schema == "inventory")
        #expect(config.batchSize == 1000)
        #expect(config.kafka.properties["security.protocol"] == "SASL_SSL")
        let development = SecretsRequirement.developmentModeVariable
        #expect { try ServiceConfiguration(service: .intake, environment: [development: "true", "OMS_BATCH_SIZE": "0"]) } throws: { ($0 as? ConfigurationError)?.key == "OMS_BATCH_SIZE" }
        #expect { try ServiceConfiguration(service: .intake, environment: [development: "true", "OMS_DATABASE_URL": "mysql://x"]) } throws: { ($0 as? ConfigurationError)?.key == "OMS_DATABASE_URL" }
    }
}

@Suite("UTC timestamps")
struct TimestampTests {
    @Test("format and parse a known set of instants exactly (leap days, pre-1970, far future)", arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000.125, "2023-11-14T22:13:20.125Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (1_709_164_800.25, "2024-02-29T00:00:00.250Z"),
        (-86_400.75, "1969-12-30T23:59:59.250Z"),
        (4_102_444_799.0, "2099-12-31T23:59:59.000Z"),
        (1_795_802_400.0, "2026-11-27T18:00:00.000Z"),
    ])
    func knownInstants(seconds: Double, text: String) throws {
        #expect(Timestamps.format(Date(timeIntervalSince1970: seconds)) == text)
        #expect(try #require(Timestamps.parse(text)).timeIntervalSince1970 == seconds)
    }

    @Test("other ISO 8601 shapes still parse; garbage does not")
    func otherShapes() {
        let expected = Timestamps.parse("2026-11-22T02:00:00.000Z")
        #expect(expected != nil)
        #expect(Timestamps.parse("2026-11-22T10:00:00+08:00") == expected)
        #expect(Timestamps.parse("2026-11-22T02:00:00Z") == expected)
        #expect(Timestamps.parse("2026-13-22T02:00:00.000Z") == nil)
        #expect(Timestamps.parse("yesterday") == nil)
    }
}
