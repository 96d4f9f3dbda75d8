import Foundation
import Logging
import OMSDomain
import PostgresNIO

/// Every event of one order across all stages, in order, with which services handled it and when:
/// the events come from intake's order timeline (which records every order-keyed event of every
/// stage), the handling from each service's inbox. Read-only; used by `omsctl trace`.
/// Invariant: an event is listed once; `handledBy` lists only services whose inbox holds it.
public struct OrderTrace: Codable, Sendable {
    public struct Handling: Codable, Hashable, Sendable {
        public var service: String
        public var processedAt: Date
    }

    public struct Step: Codable, Hashable, Sendable {
        public var eventId: UUID
        public var eventType: String
        public var occurredAt: Date
        /// The service that emits this event type (from the topic catalogue).
        public var producer: String?
        public var status: String?
        public var handledBy: [Handling]
    }

    public var orderId: String
    public var steps: [Step]

    /// Reads the trace with one pooled client; `schema(service)` names each service's schema
    /// (normally the service name).
    public static func load(orderID: String, client: PostgresClient, schema: (ServiceName) -> String = { $0.schema }, logger: Logger) async throws -> OrderTrace {
        let intake = schema(.intake)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT event_id, event_type, occurred_at, status FROM \(quoted(intake)).order_timeline WHERE order_id = $1 ORDER BY occurred_at, id
            """, binds: bindings(orderID)), logger: logger)
        var steps: [Step] = []
        var seen = Set<UUID>()
        for try await (id, type, at, status) in rows.decode((UUID, String, Date, String?).self) where seen.insert(id).inserted {
            let producer = TopicCatalogue.business.first { $0.eventTypes.contains(type) }?.producers.first?.rawValue
            steps.append(Step(eventId: id, eventType: type, occurredAt: at, producer: producer, status: status, handledBy: []))
        }
        guard !steps.isEmpty else { return OrderTrace(orderId: orderID, steps: []) }
        let ids = steps.map(\.eventId)
        for service in ServiceName.allCases {
            var binds = PostgresBindings()
            binds.append(ids)
            let handled = try? await client.query(PostgresQuery(unsafeSQL: "SELECT event_id, processed_at FROM \(quoted(schema(service))).inbox WHERE event_id = ANY($1)", binds: binds),
                                                  logger: logger)
            guard let handled else { continue }
            do {
                for try await (id, at) in handled.decode((UUID, Date).self) {
                    if let index = steps.firstIndex(where: { $0.eventId == id }) { steps[index].handledBy.append(Handling(service: service.rawValue, processedAt: at)) }
                }
            } catch {
                // A service whose schema does not exist (not deployed) handled nothing.
                continue
            }
        }
        for index in steps.indices { steps[index].handledBy.sort { $0.processedAt < $1.processedAt } }
        return OrderTrace(orderId: orderID, steps: steps)
    }

    /// The trace as a table: time (UTC), event, producer, handled by (+ms after the event).
    public func table() -> String {
        var lines = ["TIME (UTC)                EVENT                          FROM         HANDLED BY"]
        for step in steps {
            let handled = step.handledBy.map { "\($0.service) +\(Int(($0.processedAt.timeIntervalSince(step.occurredAt) * 1_000).rounded()))ms" }.joined(separator: ", ")
            lines.append([Timestamps.format(step.occurredAt).padding(toLength: 26, withPad: " ", startingAt: 0),
                          step.eventType.padding(toLength: 31, withPad: " ", startingAt: 0),
                          (step.producer ?? "-").padding(toLength: 13, withPad: " ", startingAt: 0),
                          handled.isEmpty ? "-" : handled].joined())
        }
        return lines.joined(separator: "\n")
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func bindings(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }
}
