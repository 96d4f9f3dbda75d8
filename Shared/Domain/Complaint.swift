/// A customer complaint about an order, routed to the team responsible for its category.
public struct Complaint: Codable, Hashable, Sendable {
    public enum Category: String, Codable, Sendable, CaseIterable { case deliveryDelay, damagedGoods, wrongItem, quality, service }
    public enum Severity: String, Codable, Sendable, CaseIterable { case low, medium, high, critical }
    public enum Team: String, Codable, Sendable, CaseIterable { case logistics, warehouse, quality, customerService }

    public var complaintID: String
    public var orderID: String
    public var category: Category
    public var severity: Severity
    public var team: Team

    public init(complaintID: String, orderID: String, category: Category, severity: Severity, team: Team) {
        self.complaintID = complaintID
        self.orderID = orderID
        self.category = category
        self.severity = severity
        self.team = team
    }

    /// The team a category is routed to by default.
    public static func defaultTeam(for category: Category) -> Team {
        switch category {
        case .deliveryDelay: .logistics
        case .damagedGoods, .wrongItem: .warehouse
        case .quality: .quality
        case .service: .customerService
        }
    }
}
