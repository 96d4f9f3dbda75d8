import Foundation
import IntakeFuzzing
import Testing

/// Every input the intake fuzzer ever found a crash with (kept in Tests/Fuzz/regressions) runs
/// through the same code again: a finding, once fixed, stays fixed.
@Suite("Intake fuzz findings stay fixed")
struct IntakeFuzzRegressionTests {
    static var regressions: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")
    }

    @Test("each kept input runs to the end")
    func keptInputs() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.regressions, includingPropertiesForKeys: nil).filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
        #expect(!files.isEmpty, "Tests/Fuzz/regressions holds the seed inputs and every finding")
        for file in files {
            IntakeFuzzing.exercise(Array(try Data(contentsOf: file)))
        }
    }
}
