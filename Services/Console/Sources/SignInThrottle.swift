/// How many failed sign-ins are tolerated before an account name, or a client address, must wait.
/// Invariant: counting is over a sliding window; once either count reaches its limit, sign-in is
/// refused (even with the right password) until failures age out of the window, so guessing
/// costs time whichever account is tried.
public struct SignInThrottle: Sendable, Equatable {
    public var perAccount: Int
    public var perAddress: Int
    public var window: Duration

    public init(perAccount: Int, perAddress: Int, window: Duration) {
        self.perAccount = perAccount
        self.perAddress = perAddress
        self.window = window
    }

    /// Whether a sign-in may be tried, given the failures within the window.
    public func allows(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures < perAccount && addressFailures < perAddress
    }
}
