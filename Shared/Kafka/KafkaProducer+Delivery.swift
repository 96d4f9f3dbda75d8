import NIOConcurrencyHelpers

/// Collects the delivery reports of one `send(batch:)` and resumes its caller exactly once,
/// when the last report arrived.
final class DeliveryTracker: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>?
    }

    private let state: NIOLockedValueBox<State>

    init(count: Int, continuation: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>) {
        state = NIOLockedValueBox(State(results: Array(repeating: nil, count: count), remaining: count, continuation: continuation))
    }

    func complete(index: Int, result: Result<KafkaDeliveryReport, KafkaError>) {
        let finished: (CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>, [Result<KafkaDeliveryReport, KafkaError>])? = state.withLockedValue { state in
            guard case .none = state.results[index] else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.results.map { $0! })
        }
        if let (continuation, results) = finished {
            continuation.resume(returning: results)
        }
    }
}

/// The per-message opaque handed to librdkafka; retained while the message is in flight.
final class DeliverySlot: Sendable {
    let tracker: DeliveryTracker
    let index: Int

    init(tracker: DeliveryTracker, index: Int) {
        self.tracker = tracker
        self.index = index
    }

    func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        tracker.complete(index: index, result: result)
    }
}
