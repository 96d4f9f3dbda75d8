import Foundation
import IntakeFuzzing

#if FUZZING
/// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING` by Deploy/fuzz/fuzz-intake.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIntake(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    IntakeFuzzing.exercise(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// Without libFuzzer: runs the given input files (a finding, a corpus) once each.
@main
struct FuzzReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            IntakeFuzzing.exercise(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok \(path)")
        }
    }
}
#endif
