/// Named points where tests (and the ops recovery drill) can make the runtime fail, to prove that
/// a crash at that exact moment loses and doubles nothing. Production processes run without one.
public struct FaultInjector: Sendable {
    public enum Point: String, Sendable {
        /// The batch's database transaction committed; Kafka offsets not yet committed.
        case pipelineAfterDatabaseCommit
        /// The relay's messages were acknowledged by the broker; rows not yet marked sent.
        case relayAfterPublishBeforeMark
    }

    private let action: @Sendable (Point) async throws -> Void

    public init(_ action: @escaping @Sendable (Point) async throws -> Void) {
        self.action = action
    }

    func check(_ point: Point) async throws {
        try await action(point)
    }
}

/// The error an injected fault throws.
public struct InjectedFault: Error, CustomStringConvertible {
    public var point: FaultInjector.Point
    public init(_ point: FaultInjector.Point) { self.point = point }
    public var description: String { "injected fault at \(point.rawValue)" }
}
