import OMSDomain
import OMSKafka
import PostgresNIO

/// How the consumer pipeline treats an error.
public enum FailureClass: Equatable, Sendable {
    /// Infrastructure is unavailable (database or broker down, connection lost, serialization
    /// conflict): retry the whole batch with backoff, never advance offsets, never dead-letter.
    case transient
    /// The event can never succeed (undecodable, unknown version, rejected by the domain): dead-letter it now.
    case permanent(String)
    /// Unknown failure of one event: retry it a bounded number of times, then dead-letter it.
    case retryable(String)

    public static func classify(_ error: any Error) -> FailureClass {
        switch error {
        case is StoredConfigurationUnreadable:
            return .transient
        case let rejection as HandlerRejection:
            return .permanent(rejection.reason)
        case let decoding as EventDecodingError:
            return .permanent(decoding.description)
        case let decoding as DecodingError:
            return .permanent(EventCoding.describe(decoding))
        case let kafka as KafkaError:
            return kafka.isTransient ? .transient : .retryable(kafka.description)
        case let psql as PSQLError:
            return classify(psql)
        default:
            let typeName = String(reflecting: type(of: error))
            if typeName.contains("ConnectionPool") || typeName.contains("NIOConnectionError") || typeName.contains("ChannelError") || typeName.contains("IOError") {
                return .transient
            }
            return .retryable(PIIMask.scrub(String(describing: error).prefix(300).description))
        }
    }

    private static func classify(_ error: PSQLError) -> FailureClass {
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            // 08: connection exception, 40: transaction rollback (serialization, deadlock),
            // 53: insufficient resources, 57P: operator intervention (shutdown, crash recovery),
            // 57014: statement timeout or cancel, 55P03: lock timeout (a hot SKU on a sale day):
            // load, not the event, so the batch waits and retries instead of dead-lettering.
            if state.hasPrefix("08") || state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("57P") || state == "57014" || state == "55P03" {
                return .transient
            }
            let message = error.serverInfo?[.message] ?? "server error"
            return .retryable(PIIMask.scrub("SQLSTATE \(state): \(message)"))
        }
        return .transient
    }
}

/// A service's stored configuration (its risk or sourcing policy) no longer decodes: no event can
/// be judged without it, and falling back to defaults would judge them by rules nobody chose.
/// Events wait (classed transient: retried with backoff, never dead-lettered) and the error is
/// logged on every retry until someone saves a valid configuration.
public struct StoredConfigurationUnreadable: Error, CustomStringConvertible {
    public var name: String
    public var reason: String
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
    public var description: String { "stored \(name) does not decode (\(reason)); save a valid one" }
}
