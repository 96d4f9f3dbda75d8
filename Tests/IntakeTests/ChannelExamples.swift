import Foundation
import IntakeService

/// The documented example payloads (docs/intake/examples/<channel>.json), loaded so tests prove
/// every documented example is accepted and prices as the docs say.
enum ChannelExamples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/intake/examples")

    static func data(_ channel: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("\(channel).json"))
    }

    static func payload<P: ChannelPayload>(_ type: P.Type, edit: (inout P) -> Void = { _ in }) throws -> P {
        var payload = try JSONDecoder().decode(P.self, from: data(P.channel.rawValue))
        edit(&payload)
        return payload
    }
}
