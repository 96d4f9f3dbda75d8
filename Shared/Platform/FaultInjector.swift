import Foundation

/// Named points where tests (and the ops recovery drill) can make the runtime fail, to prove that
/// a crash at that exact moment loses and doubles nothing. Production processes run without one.
public struct FaultInjector: Sendable {
    public enum Point: String, Sendable, CaseIterable {
        /// The batch's database transaction committed; Kafka offsets not yet committed.
        case pipelineAfterDatabaseCommit
        /// The relay's messages were acknowledged by the broker; rows not yet marked sent.
        case relayAfterPublishBeforeMark
        /// A failed batch is about to be rewound to its start; a throw here is a failed seek.
        case pipelineSeek
    }

    private let action: @Sendable (Point) async throws -> Void

    public init(_ action: @escaping @Sendable (Point) async throws -> Void) {
        self.action = action
    }

    func check(_ point: Point) async throws {
        try await action(point)
    }

    /// A process crash (SIGKILL to itself: no cleanup, no offset commit, no outbox mark) at `point`,
    /// each time it is reached with the given probability. Set by `OMS_FAULT_CRASH_AT` for the
    /// fault drill only; the process logs that it runs with it.
    public static func crash(at point: Point, probability: Double) -> FaultInjector {
        FaultInjector { reached in
            guard reached == point, Double.random(in: 0..<1) < probability else { return }
            FileHandle.standardError.write(Data("injected crash at \(point.rawValue) (OMS_FAULT_CRASH_AT)\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}

/// The error an injected fault throws.
public struct InjectedFault: Error, CustomStringConvertible {
    public var point: FaultInjector.Point
    public init(_ point: FaultInjector.Point) { self.point = point }
    public var description: String { "injected fault at \(point.rawValue)" }
}
