import Foundation
import IntakeFuzzing

#if FUZZING
/// libFuzzer's driver (linked by `-sanitize=fuzzer`); called from `main` because SwiftPM names an
/// executable's entry point itself, so libFuzzer's own `main` is never linked in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

/// With -DFUZZING (Deploy/fuzz/fuzz-intake.sh): libFuzzer over `IntakeFuzzing.exercise`, taking
/// libFuzzer's arguments. Without: runs the given input files (a finding, a corpus) once each.
@main
struct FuzzEntry {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            IntakeFuzzing.exercise(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
        #else
        for path in CommandLine.arguments.dropFirst() {
            IntakeFuzzing.exercise(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok \(path)")
        }
        #endif
    }
}
