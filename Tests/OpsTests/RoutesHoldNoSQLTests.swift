import Foundation
import Testing

/// Routes parse, check and call; SQL belongs to a store type per aggregate. A ratchet: the files
/// still holding SQL are listed and the list only shrinks (a new route file with a query fails, and
/// so does a listed file that no longer needs its entry).
@Suite("Routes hold no SQL")
struct RoutesHoldNoSQLTests {
    /// Route files not yet moved to stores (issue 23, item 4), with their count of queries: none
    /// since 2026-12-06; the ratchet keeps it so.
    static let notYetMoved: [String: Int] = [:]

    @Test("no route file runs a query but the listed ones, and those no more than listed")
    func ratchet() throws {
        let services = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Services")
        var found: [String: Int] = [:]
        for service in try FileManager.default.contentsOfDirectory(atPath: services.path) {
            let sources = services.appendingPathComponent(service).appendingPathComponent("Sources")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: sources.path) else { continue }
            for file in files where file.hasSuffix("Routes.swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
                let queries = text.components(separatedBy: ".query(").count - 1
                if queries > 0 { found["\(service)/Sources/\(file)"] = queries }
            }
        }
        #expect(!found.isEmpty || Self.notYetMoved.isEmpty)
        for (file, count) in found.sorted(by: { $0.key < $1.key }) {
            #expect(count <= Self.notYetMoved[file] ?? 0, "\(file) runs \(count) queries; move them to a store (or, having moved some, lower its entry)")
        }
        for file in Self.notYetMoved.keys where found[file] == nil {
            Issue.record("\(file) holds no SQL any more: remove it from notYetMoved")
        }
    }
}
