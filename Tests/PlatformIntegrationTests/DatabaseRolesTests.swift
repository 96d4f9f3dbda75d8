import AfterSalesService
import Foundation
import FulfillmentService
import InsightsService
import IntegrationsService
import IntakeService
import InventoryService
import Logging
import LogisticsService
import OMSDomain
import OMSPlatform
import PostgresNIO
import RiskService
import Testing

/// The deployment's database isolation (Deploy/postgres/init-roles.sh, what docker-compose runs as
/// the PostgreSQL init script): every service migrates its own schema as its own role, cannot read
/// or create anything elsewhere, and the ops role can only read.
@Suite("Database roles")
struct DatabaseRolesTests {
    static let services: [any OMSService] = [
        IntakeService(configuration: try! IntakeConfiguration(environment: [:]), hasher: PIIHasher(secret: "roles-test")),
        RiskService(hasher: PIIHasher(secret: "roles-test")),
        InventoryService(),
        FulfillmentService(configuration: try! FulfillmentConfiguration(environment: [:])),
        LogisticsService(configuration: try! LogisticsConfiguration(environment: [:])),
        AfterSalesService(configuration: try! AfterSalesConfiguration(environment: [:])),
        InsightsService(configuration: try! InsightsConfiguration(environment: [:])),
        IntegrationsService(configuration: try! IntegrationsConfiguration(environment: [:])),
    ]

    @Test("each service migrates its own schema as its own role; cross-schema reads and new schemas are refused; ops only reads")
    func leastPrivilegeRoles() async throws {
        guard let adminURL = ProcessInfo.processInfo.environment["OMS_DATABASE_ADMIN_URL"] else {
            throw HarnessError("OMS_DATABASE_ADMIN_URL is not set: run the tests with Deploy/local/test.sh")
        }
        let admin = try DatabaseConfiguration(url: adminURL, schema: "public")
        let database = "oms_roles_\(UUID().uuidString.lowercased().prefix(8))"
        let logger: Logger = {
            var logger = Logger(label: "test.roles")
            logger.logLevel = .warning
            return logger
        }()
        let passwords = Dictionary(uniqueKeysWithValues: (ServiceName.allCases.map { $0.rawValue.uppercased() } + ["OPS"]).map { ($0, UUID().uuidString) })

        try await Self.withClient(admin, logger: logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: logger)
        }
        do {
            // Twice: the script is idempotent (a restarted init or a password rotation reruns it).
            for _ in 0..<2 { try Self.runInitRoles(admin: admin, database: database, passwords: passwords) }

            func configuration(role: String, schema: String) throws -> DatabaseConfiguration {
                var configuration = admin
                configuration.username = role
                configuration.password = passwords[role == "oms_ops" ? "OPS" : String(role.dropFirst(4)).uppercased()]
                configuration.database = database
                configuration.schema = schema
                return configuration
            }

            for service in Self.services {
                let schema = service.name.schema
                try await Self.withClient(try configuration(role: "oms_\(service.name.rawValue)", schema: schema), logger: logger) { client in
                    let applied = try await Migrator.migrate(client: client, schema: schema, migrations: service.migrations, logger: logger)
                    #expect(!applied.isEmpty, "\(schema): no migration applied")
                    let owner = try await Self.scalar(client, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = \(schema)", logger)
                    #expect(owner == "oms_\(service.name.rawValue)")
                }
            }

            try await Self.withClient(try configuration(role: "oms_inventory", schema: "inventory"), logger: logger) { client in
                let ownInbox = try await Self.scalar(client, "SELECT count(*)::text FROM inbox", logger)
                #expect(ownInbox == "0")
                #expect(await Self.sqlState(client, "SELECT count(*) FROM intake.inbox", logger) == "42501")
                #expect(await Self.sqlState(client, "SELECT count(*) FROM aftersales.outbox", logger) == "42501")
                #expect(await Self.sqlState(client, "CREATE SCHEMA inventory_scratch", logger) == "42501")
                #expect(await Self.sqlState(client, "CREATE TABLE public.scratch (id int)", logger) == "42501")
            }
            try await Self.withClient(try configuration(role: "oms_ops", schema: "inventory"), logger: logger) { client in
                for service in ServiceName.allCases {
                    let rows = try await Self.scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*)::text FROM \(service.schema).outbox"), logger)
                    #expect(rows == "0", "ops cannot read \(service.schema).outbox")
                }
                #expect(await Self.sqlState(client, "DELETE FROM intake.outbox", logger) == "42501")
                #expect(await Self.sqlState(client, "CREATE TABLE inventory.scratch (id int)", logger) == "42501")
            }
        } catch {
            try? await Self.dropDatabase(database, admin: admin, logger: logger)
            throw error
        }
        try await Self.dropDatabase(database, admin: admin, logger: logger)
    }

    /// Runs the deployment's init script exactly as the PostgreSQL image would, as the superuser.
    static func runInitRoles(admin: DatabaseConfiguration, database: String, passwords: [String: String]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Deploy/postgres/init-roles.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = admin.host
        environment["PGPORT"] = String(admin.port)
        environment["PGUSER"] = admin.username
        environment["PGPASSWORD"] = admin.password ?? ""
        environment["OMS_DB_NAME"] = database
        for (name, value) in passwords { environment["OMS_DB_PASSWORD_\(name)"] = value }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("init-roles.sh failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
    }

    static func withClient<T: Sendable>(_ configuration: DatabaseConfiguration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = configuration.makeClient(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func scalar(_ client: PostgresClient, _ query: PostgresQuery, _ logger: Logger) async throws -> String? {
        for try await value in try await client.query(query, logger: logger).decode(String?.self) { return value }
        return nil
    }

    /// The SQLSTATE a statement fails with, or nil if it succeeds.
    static func sqlState(_ client: PostgresClient, _ query: PostgresQuery, _ logger: Logger) async -> String? {
        do {
            _ = try await client.query(query, logger: logger)
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState]
        } catch {
            return "\(error)"
        }
    }

    static func dropDatabase(_ database: String, admin: DatabaseConfiguration, logger: Logger) async throws {
        try await withClient(admin, logger: logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"), logger: logger)
        }
    }

    @Test("sslmode from the URL reaches the connection: require refuses a server without TLS, prefer falls back, a bad mode or CA file is a configuration error")
    func tlsModes() async throws {
        let url = try TestEnvironment.require().databaseURL
        func connects(_ query: String) async throws -> Bool {
            var configuration = try DatabaseConfiguration(url: url + query, schema: "public")
            configuration.maximumConnections = 1
            let client = configuration.makeClient(logger: Logger(label: "tls-test"))
            return await withTaskGroup(of: Bool?.self) { group in
                group.addTask { await client.run(); return nil }
                group.addTask {
                    // The local server has no TLS: a required TLS connection must never open.
                    (try? await withThrowingTaskGroup(of: Bool.self) { inner in
                        inner.addTask { _ = try await client.query("SELECT 1", logger: Logger(label: "tls-test")); return true }
                        inner.addTask { try await Task.sleep(for: .seconds(5)); return false }
                        let first = try await inner.next()!
                        inner.cancelAll()
                        return first
                    }) ?? false
                }
                let answer = await group.next()!
                group.cancelAll()
                return answer ?? false
            }
        }
        #expect(try await connects(""))
        #expect(try await connects("?sslmode=prefer"))
        #expect(try await !connects("?sslmode=require"))
        #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: url + "?sslmode=sometimes", schema: "public") }
        #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: url + "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", schema: "public") }
        #expect(try DatabaseConfiguration(url: url + "?sslmode=verify-full", schema: "public").tls == .verifyFull(caFile: nil))
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString).pem")
        try Data("not a certificate".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: url + "?sslmode=verify-full&sslrootcert=\(notPEM.path)", schema: "public") }
    }
}
