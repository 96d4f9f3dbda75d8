import OMSPlatform

/// The console's pages and who may open them: the same roles the services allow for what the page
/// shows and does (an orders page for customer service, risk and ops, as intake's order lookup).
/// Invariant: the navigation shows a staff member only the pages of their role, and opening any
/// other by URL answers 403.
enum ConsolePage: String, CaseIterable, Sendable {
    case home, orders, review, warehouse, stock, purchasing, insights, ops, staff

    var path: String {
        switch self {
        case .home: "/"
        case .orders: "/orders"
        case .review: "/review"
        case .warehouse: "/warehouse"
        case .stock: "/stock"
        case .purchasing: "/purchasing"
        case .insights: "/insights"
        case .ops: "/ops"
        case .staff: "/staff"
        }
    }

    var roles: Set<AccessRole> {
        switch self {
        case .home: Set(AccessRole.staffRoles)
        case .orders: [.customerService, .risk, .ops]
        case .review: [.risk]
        case .warehouse: [.warehouse]
        case .stock: [.customerService, .warehouse, .ops]
        case .purchasing: [.ops]
        case .insights: [.ops, .analyst]
        case .ops: [.ops]
        case .staff: [.ops]
        }
    }

    /// The key of its name in `ConsoleText`.
    var titleKey: String { "page.\(rawValue)" }
}
