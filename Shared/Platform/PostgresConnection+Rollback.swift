import Logging
import PostgresNIO

extension PostgresConnection {
    /// Rolls back the open transaction unless the connection is already gone (the server closed it
    /// or a database restart killed it). PostgresNIO 1.33 drops a statement written to a closed
    /// channel without failing it, so its caller would wait forever; on a dead connection there is
    /// nothing to roll back anyway: the server aborted the transaction when it closed the session.
    func rollbackIfOpen(logger: Logger) async {
        guard !isClosed else { return }
        _ = try? await query("ROLLBACK", logger: logger)
    }
}
