/// A failure at run time (not a usage mistake), printed as `Error: <message>` without usage text.
/// Invariant: the message says what to do next where there is something to do.
public struct OpsFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
