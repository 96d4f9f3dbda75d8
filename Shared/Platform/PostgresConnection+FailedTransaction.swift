import Logging
import PostgresNIO

extension PostgresConnection {
    /// Ends a transaction that failed with `error`: rolls it back, or, when the error says the
    /// server ended the session (a database restart, `pg_terminate_backend`, a lost socket),
    /// closes the connection and waits until it is closed.
    ///
    /// Why not simply roll back: the failed statement's error reaches the caller before the
    /// channel has finished closing. A `ROLLBACK` written then, or the next caller's statement if
    /// the connection went back to the pool as idle, is dropped by PostgresNIO 1.33 without
    /// failing (its caller waits forever) or fails with "connection closed". Waiting for the close
    /// means the pool has seen it (its close callback runs first) before the connection is
    /// released, so it is never lent again. On a dead session there is nothing to roll back: the
    /// server aborted the transaction when it ended the session.
    func endFailedTransaction(after error: any Error, logger: Logger) async {
        if isClosed || Self.sessionEnded(by: error) {
            try? await close()
            try? await closeFuture.get()
            return
        }
        _ = try? await query("ROLLBACK", logger: logger)
    }

    /// Whether `error` means the server session is gone (as opposed to a statement that failed
    /// inside a live session, which a `ROLLBACK` ends).
    static func sessionEnded(by error: any Error) -> Bool {
        guard let psql = error as? PSQLError else { return false }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let severity = psql.serverInfo?[.severity] ?? ""
            // 57P01-57P03: admin shutdown, crash shutdown, cannot connect now; 08: connection exception.
            return state.hasPrefix("57P0") || state.hasPrefix("08") || severity == "FATAL" || severity == "PANIC"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError,
             .messageDecodingFailure, .unexpectedBackendMessage:
            return true
        default:
            return false
        }
    }
}
