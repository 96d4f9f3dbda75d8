extension Duration {
    /// Whole nanoseconds, for APIs that take an integer (timeouts, sleeps).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
