import Foundation
import NIOConcurrencyHelpers

/// Counts consecutive failed attempts per event id within this process, so an event failing with
/// an unclassified error is retried a bounded number of times before it is dead-lettered.
final class AttemptTracker: Sendable {
    private let counts = NIOLockedValueBox([UUID: Int]())

    func recordFailure(_ id: UUID) -> Int {
        counts.withLockedValue { counts in
            counts[id, default: 0] += 1
            return counts[id]!
        }
    }

    func clear(_ id: UUID?) {
        guard let id else { return }
        counts.withLockedValue { _ = $0.removeValue(forKey: id) }
    }
}
