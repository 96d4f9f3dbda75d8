/// A return (RMA) of some delivered lines. Invariant: returned quantity per line never exceeds
/// delivered minus already returned; one return is refunded at most once.
public struct ReturnAuthorization: Codable, Hashable, Sendable {
    public enum Reason: String, Codable, Sendable {
        case noReasonWithin7Days, qualityProblem, wrongItem, damagedInTransit, sizeOrFit
    }

    public enum Status: String, Codable, Sendable {
        case requested, approved, rejected, received, refunded
    }

    public struct Line: Codable, Hashable, Sendable {
        public var lineNumber: Int
        public var quantity: Int
        public init(lineNumber: Int, quantity: Int) {
            self.lineNumber = lineNumber
            self.quantity = quantity
        }
    }

    public var returnID: String
    public var orderID: String
    public var lines: [Line]
    public var reason: Reason
    public var status: Status

    public init(returnID: String, orderID: String, lines: [Line], reason: Reason, status: Status) {
        self.returnID = returnID
        self.orderID = orderID
        self.lines = lines
        self.reason = reason
        self.status = status
    }
}
