/// Exponential backoff with a cap, shared by the relay and the consumer pipeline: 100 ms, 200 ms,
/// 400 ms ... never more than `cap`. Invariant: never negative, monotonic in `attempt`.
enum Backoff {
    static func delay(attempt: Int, base: Duration = .milliseconds(100), cap: Duration = .seconds(5)) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 10)
        return min(base * factor, cap)
    }
}
