import Foundation

/// An event as it travels between services. On Kafka the metadata travels as headers, the key is
/// `orderID` (so one order's events stay in order on one partition) and the value is `payload`,
/// the event's JSON body.
/// Invariant: `eventID` is unique per event and is what every consumer deduplicates on;
/// `occurredAt` is a UTC instant.
public struct EventEnvelope: Sendable, Hashable {
    public var eventID: UUID
    public var type: String
    public var schemaVersion: Int
    public var occurredAt: Date
    /// Kafka key: the order the event belongs to (or another aggregate id for non-order events).
    public var orderID: String
    /// The id of the first event of the flow (e.g. the raw order submission).
    public var correlationID: UUID
    /// The event that directly caused this one, if any.
    public var causationID: UUID?
    public var producer: ServiceName
    /// The JSON body.
    public var payload: [UInt8]

    public init(eventID: UUID = UUID(), type: String, schemaVersion: Int, occurredAt: Date = Date(), orderID: String, correlationID: UUID, causationID: UUID?, producer: ServiceName, payload: [UInt8]) {
        self.eventID = eventID
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.orderID = orderID
        self.correlationID = correlationID
        self.causationID = causationID
        self.producer = producer
        self.payload = payload
    }

    /// A new event of type `E` with `body` as payload. With a `cause`, the correlation id is carried
    /// over and the causation id points at the cause; without one this event starts a new flow.
    public static func make<E: DomainEvent>(_ body: E, orderID: String, producer: ServiceName, causedBy cause: EventEnvelope? = nil, eventID: UUID = UUID(), occurredAt: Date = Date()) throws -> EventEnvelope {
        EventEnvelope(
            eventID: eventID, type: E.eventType, schemaVersion: E.schemaVersion, occurredAt: occurredAt,
            orderID: orderID, correlationID: cause?.correlationID ?? eventID, causationID: cause?.eventID,
            producer: producer, payload: try EventCoding.encode(body)
        )
    }

    /// Decodes the payload as `E`, checking the type and the schema version first.
    public func decode<E: DomainEvent>(_: E.Type) throws -> E {
        guard type == E.eventType else {
            throw EventDecodingError.unexpectedType(expected: E.eventType, actual: type)
        }
        guard E.supportedSchemaVersions.contains(schemaVersion) else {
            throw EventDecodingError.unsupportedVersion(type: type, version: schemaVersion)
        }
        return try EventCoding.decode(E.self, from: payload)
    }
}

/// A typed event body. Invariant: `eventType` names exactly one payload shape per schema version.
public protocol DomainEvent: Codable, Sendable {
    static var eventType: String { get }
    static var schemaVersion: Int { get }
    /// Versions this code can still read; defaults to the current one only.
    static var supportedSchemaVersions: ClosedRange<Int> { get }
}

extension DomainEvent {
    public static var supportedSchemaVersions: ClosedRange<Int> { schemaVersion...schemaVersion }
}

/// Why an event could not be turned into its typed payload. Such events are dead-lettered.
public enum EventDecodingError: Error, CustomStringConvertible, Equatable {
    case missingHeader(String)
    case invalidHeader(String)
    case unexpectedType(expected: String, actual: String)
    case unsupportedVersion(type: String, version: Int)
    case malformedPayload(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing header \(name)"
        case .invalidHeader(let name): "invalid header \(name)"
        case .unexpectedType(let expected, let actual): "expected event type \(expected), got \(actual)"
        case .unsupportedVersion(let type, let version): "unsupported schema version \(version) of \(type)"
        case .malformedPayload(let reason): "malformed payload: \(reason)"
        }
    }
}
