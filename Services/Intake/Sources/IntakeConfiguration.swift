import Foundation
import OMSDomain
import OMSPlatform

/// Intake's own settings, read from the environment (README "Configuration").
/// Invariant: amounts in fen; the PII hash key is never logged.
public struct IntakeConfiguration: Sendable {
    /// Which parts run in this process, so edge and workers scale independently.
    public enum Role: String, Sendable {
        /// HTTP edge only: accepts channel orders, answers queries, cancels.
        case edge
        /// Intake workers and the order-status projection only (HTTP serves health and queries).
        case worker
        /// Both (the default; one process for local runs).
        case all
    }

    /// `OMS_INTAKE_ROLE` (default all).
    public var role: Role
    /// `OMS_SHIPPING_FEE_FEN` (default 1000) and `OMS_FREE_SHIPPING_OVER_FEN` (default 9900; 0 = never free).
    public var shipping: ShippingRule
    /// `OMS_SEED_DEMO_CATALOG` (default true): load the demo catalog and promotions on first start.
    public var seedDemoCatalog: Bool
    public var limits = IntakeLimits()
    /// `OMS_PAYMENT_WINDOW_SECONDS` (default 1800): how long an order sent before its payment
    /// holds its stock waiting for it before it is cancelled.
    public var paymentWindowSeconds: Int
    /// `OMS_PAYMENT_CHECK_SECONDS` (default 15): how often overdue payments are looked for.
    public var paymentCheckSeconds: Int
    /// Largest request body the edge reads (1 MiB).
    public var maxBodyBytes = 1 << 20


    public init(environment: [String: String]) throws {
        let roleText = environment["OMS_INTAKE_ROLE"] ?? "all"
        guard let role = Role(rawValue: roleText) else {
            throw ConfigurationError(key: "OMS_INTAKE_ROLE", reason: "must be edge, worker or all")
        }
        self.role = role
        let env = EnvironmentReader(environment)
        let freeOver = try env.fen("OMS_FREE_SHIPPING_OVER_FEN", 9_900)
        shipping = ShippingRule(fee: .fen(try env.fen("OMS_SHIPPING_FEE_FEN", 1_000)), freeOver: freeOver == 0 ? nil : .fen(freeOver))
        seedDemoCatalog = try env.bool("OMS_SEED_DEMO_CATALOG", true)
        paymentWindowSeconds = try env.integer("OMS_PAYMENT_WINDOW_SECONDS", 1_800, 5...259_200)
        paymentCheckSeconds = try env.integer("OMS_PAYMENT_CHECK_SECONDS", 15, 1...3_600)
    }
}
