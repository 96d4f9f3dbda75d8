import Hummingbird
import OMSDomain
import OMSPlatform
import ServiceLifecycle

/// The after-sales service: returns and refunds (paid through WeChat Pay, Alipay or recorded as
/// owed), refunds of cancelled and rejected orders, exchanges, complaints with SLA escalation,
/// feedback and complaint reports (issue 8), invoices (发票: blue on shipment, red-letter on refund). Owns the `aftersales` schema. Invariant: it changes
/// state only inside `ServiceDatabase.transaction` or an event handler, so every change and the
/// events it causes commit together.
public struct AfterSalesService: OMSService {
    public static let serviceName = ServiceName.aftersales
    public let configuration: AfterSalesConfiguration

    public init(configuration: AfterSalesConfiguration) {
        self.configuration = configuration
    }

    public var migrations: [Migration] { AfterSalesServiceMigrations.all }

    public var handlers: [any EventHandler] {
        [OrderHistoryHandler(), OrderClosureHandler(holdSeconds: configuration.cancellationRefundHoldSeconds), PickupExpiryHandler()]
    }

    var payer: (ServiceRuntime) -> RefundPayer {
        { runtime in
            RefundPayer(runtime: runtime, providers: PaymentProviders(wechatPay: configuration.wechatPay.map(WeChatPayRefunds.init),
                                                                      alipay: configuration.alipay.map(AlipayRefunds.init)),
                        policy: configuration.refundPolicy, interval: configuration.refundCheckSeconds)
        }
    }

    func invoiceDesk(_ runtime: ServiceRuntime) -> InvoiceDesk {
        InvoiceDesk(runtime: runtime, seller: configuration.invoiceSeller, interval: configuration.invoiceCheckSeconds, toPlatform: configuration.nuonuo != nil)
    }

    var desk: ComplaintDesk { ComplaintDesk(router: ComplaintRouter(slaSeconds: configuration.complaintSLASeconds)) }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        let returns = ReturnRoutes(runtime: runtime, policy: ReturnPolicy(configuration: configuration))
        return [
            returns,
            ExchangeRoutes(runtime: runtime, configuration: configuration, returns: returns),
            TillReturnRoutes(runtime: runtime, returns: returns),
            TillInvoiceRoutes(runtime: runtime, desk: invoiceDesk(runtime)),
            ComplaintRoutes(runtime: runtime, desk: desk),
            OrderAfterSalesRoutes(runtime: runtime, desk: desk),
            ComplaintReportRoutes(runtime: runtime),
            RefundRoutes(runtime: runtime, wechatPay: configuration.wechatPay),
            InvoiceRoutes(runtime: runtime),
        ]
    }

    public func backgroundServices(runtime: ServiceRuntime) -> [any Service] {
        [ComplaintEscalator(runtime: runtime, desk: desk, interval: configuration.escalationCheckSeconds).job(), payer(runtime).job(), invoiceDesk(runtime).job()]
            + (configuration.nuonuo.map { [EInvoiceSubmitter(runtime: runtime, platform: NuonuoInvoicing(configuration: $0), interval: configuration.invoiceCheckSeconds,
                                                             retryBaseSeconds: configuration.eInvoiceRetryBaseSeconds, maxAttempts: configuration.eInvoiceMaxAttempts).job()] } ?? [])
    }

    /// `oms_aftersales_open_returns`, `oms_aftersales_unresolved_complaints`, `oms_aftersales_overdue_complaints`.
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let rows = try await runtime.database.client.query("""
            SELECT (SELECT count(*) FROM returns WHERE status IN ('requested', 'approved', 'inTransit'))::int8,
                   (SELECT count(*) FROM complaints WHERE status <> 'resolved')::int8,
                   (SELECT count(*) FROM complaints WHERE status <> 'resolved' AND due_at < now())::int8
            """, logger: runtime.logger)
        for try await (returns, unresolved, overdue) in rows.decode((Int, Int, Int).self) {
            runtime.metrics.set("oms_aftersales_open_returns", to: Double(returns))
            runtime.metrics.set("oms_aftersales_unresolved_complaints", to: Double(unresolved))
            runtime.metrics.set("oms_aftersales_overdue_complaints", to: Double(overdue))
        }
    }
}
