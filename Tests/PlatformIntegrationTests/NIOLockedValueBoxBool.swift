import NIOConcurrencyHelpers

/// A thread-safe boolean for test fault switches.
final class NIOLockedValueBoxBool: Sendable {
    private let box = NIOLockedValueBox(false)
    func exchange(_ value: Bool) -> Bool { box.withLockedValue { old in defer { old = value }; return old } }
    var value: Bool { box.withLockedValue { $0 } }
}
