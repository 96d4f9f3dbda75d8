import Hummingbird
import Logging
import OMSPlatform
import PostgresNIO

/// Builds the console process: its PostgreSQL pool (schema `console`: staff and sessions only)
/// and the HTTP server with its pages, assets and staff API, in one ServiceGroup. `main` and the
/// tests both call this.
public func buildConsoleApplication(configuration: ConsoleConfiguration, logger: Logger) throws -> some ApplicationProtocol {
    let client = configuration.database.makeClient(logger: logger)
    let view = try ConsoleView()
    let staff = StaffStore(client: client, logger: logger)
    let sessions = SessionStore(client: client, logger: logger, idleTimeout: configuration.idleTimeout, lifetime: configuration.sessionLifetime)
    let gateway = ServiceGateway(urls: configuration.serviceURLs, token: configuration.consoleToken, logger: logger)
    if configuration.consoleToken == nil {
        logger.warning("no console token in \(APICredentials.variable) (console:console=<token>): every service will refuse the console")
    }

    let metrics = PlatformMetrics(component: "console")
    let router = Router(context: ConsoleRequestContext.self)
    router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
    router.middlewares.add(ConsoleErrorMiddleware(view: view, logger: logger))
    router.middlewares.add(ConsoleSessionMiddleware(sessions: sessions, secureCookies: configuration.secureCookies))
    router.get("/health/live") { _, _ in "ok" }
    router.get("/health/ready") { _, _ in
        _ = try await client.query("SELECT 1", logger: logger)
        return "ready"
    }
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
    router.get("/assets/console.css") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: ConsoleAssets.css)))
    }
    router.get("/assets/console.js") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: ConsoleAssets.javascript)))
    }
    router.get("/") { _, context in
        let session = try context.require(.home)
        _ = session
        return view.page("home", title: ConsoleText.text("page.home", context.language), context: context, current: .home)
    }
    SignInRoutes(staff: staff, sessions: sessions, view: view, throttle: configuration.throttle, bcryptCost: configuration.bcryptCost,
                 secureCookies: configuration.secureCookies, metrics: metrics).register(on: router)
    OrderPages(gateway: gateway, view: view).register(on: router)
    ReviewPages(gateway: gateway, view: view).register(on: router)
    WarehousePages(gateway: gateway, view: view).register(on: router)
    StockPages(gateway: gateway, view: view).register(on: router)
    PurchasingPages(gateway: gateway, view: view).register(on: router)
    InsightsPages(gateway: gateway, view: view).register(on: router)
    OpsPages(urls: configuration.serviceURLs, gateway: gateway, view: view).register(on: router)
    StaffAccountRoutes(staff: staff, sessions: sessions, view: view, credentials: configuration.apiCredentials, bcryptCost: configuration.bcryptCost).register(on: router)

    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(30))),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "oms-console"),
        logger: logger
    )
    app.addServices(client)
    let schema = configuration.database.schema
    app.beforeServerStarts {
        let applied = try await Migrator.migrate(client: client, schema: schema, migrations: ConsoleMigrations.all, logger: logger)
        logger.info("console ready", metadata: ["schema": "\(schema)", "migrationsApplied": "\(applied)", "port": "\(configuration.httpPort)"])
    }
    return app
}
