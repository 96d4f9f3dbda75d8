import Foundation
import Logging
import NIOConcurrencyHelpers
import OMSDomain

/// Writes one JSON object per line to standard output: time (UTC), level, service, message and
/// metadata. Every message and metadata value passes through `PIIMask.scrub`, so a phone number
/// or id that slips into a log line is masked.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private static let lock = NIOLock()

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "ts": Timestamps.format(Date()),
            "level": event.level.rawValue,
            "logger": label,
            "msg": PIIMask.scrub(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = PIIMask.scrub(value.description)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Self.lock.withLock {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// Installs the handler process-wide (call once from `main`).
    public static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: parsed) }
    }
}
