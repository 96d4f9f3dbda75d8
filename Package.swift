// swift-tools-version:6.0
import PackageDescription

/// The retail OMS: one Shared platform + domain layer and one folder per service under Services/.
/// Every service is a library target (its routes, handlers, migrations and rules, importable by tests)
/// plus a thin executable whose `main` only reads configuration and runs the service.
let services: [(name: String, folder: String, executable: String)] = [
    ("IntakeService", "Intake", "oms-intake"),
    ("RiskService", "Risk", "oms-risk"),
    ("InventoryService", "Inventory", "oms-inventory"),
    ("FulfillmentService", "Fulfillment", "oms-fulfillment"),
    ("LogisticsService", "Logistics", "oms-logistics"),
    ("AfterSalesService", "AfterSales", "oms-aftersales"),
    ("InsightsService", "Insights", "oms-insights"),
    ("IntegrationsService", "Integrations", "oms-integrations"),
]

let platformDeps: [Target.Dependency] = [
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    "OMSDomain", "OMSKafka", "OMSPlatform",
    .product(name: "PostgresNIO", package: "postgres-nio"),
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "Logging", package: "swift-log"),
]

/// A benchmark executable that runs one service in-process and drives it over HTTP and Kafka.
func serviceBenchmark(_ name: String, service: String, path: String, extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "OMSDomain", "OMSKafka", "OMSPlatform", "OMSBenchSupport", "OMSDemo", .init(stringLiteral: service),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ] + extra,
        path: path
    )
}

var targets: [Target] = [
    .systemLibrary(
        name: "CRdKafka",
        path: "Shared/CRdKafka",
        pkgConfig: "rdkafka",
        providers: [.apt(["librdkafka-dev"])]
    ),
    .target(
        name: "OMSDomain",
        path: "Shared/Domain"
    ),
    .target(
        name: "OMSKafka",
        dependencies: [
            "CRdKafka",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        path: "Shared/Kafka"
    ),
    .target(
        name: "OMSPlatform",
        dependencies: [
            "OMSDomain", "OMSKafka",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ],
        path: "Shared/Platform"
    ),
    // Demo data and generators (catalog, carriers, promotions, order factory, Zipf popularity): for
    // omsctl's demo and load runs, tests and benchmarks; no service links it. The services' seed
    // migrations hold the same data as frozen SQL text.
    .target(
        name: "OMSDemo",
        dependencies: ["OMSDomain", "OMSPlatform", "IntakeService", "LogisticsService"],
        path: "Services/Ops/Demo"
    ),
    .target(
        name: "OMSOps",
        dependencies: [
            "OMSDomain", "OMSKafka", "OMSPlatform", "OMSDemo", "IntakeService", "RiskService", "InventoryService",
            "FulfillmentService", "LogisticsService", "AfterSalesService", "InsightsService", "IntegrationsService",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        path: "Services/Ops/Sources"
    ),
    .executableTarget(
        name: "omsctl",
        dependencies: [
            "OMSDomain", "OMSKafka", "OMSPlatform", "OMSOps",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ],
        path: "Services/Ops/Main"
    ),
    .executableTarget(
        name: "oms-pipeline-bench",
        dependencies: ["OMSDomain", "OMSKafka", "OMSPlatform"],
        path: "Tests/Benchmarks/PipelineBench"
    ),
    serviceBenchmark("oms-intake-bench", service: "IntakeService", path: "Tests/Benchmarks/IntakeBench"),
    .target(
        name: "OMSBenchSupport",
        dependencies: [
            "OMSDomain", "OMSKafka", "OMSPlatform",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        path: "Tests/Benchmarks/Support"
    ),
    serviceBenchmark("oms-inventory-bench", service: "InventoryService", path: "Tests/Benchmarks/InventoryBench"),
    serviceBenchmark("oms-fulfillment-bench", service: "FulfillmentService", path: "Tests/Benchmarks/FulfillmentBench"),
    serviceBenchmark("oms-logistics-bench", service: "LogisticsService", path: "Tests/Benchmarks/LogisticsBench"),
    serviceBenchmark("oms-webhook-bench", service: "IntegrationsService", path: "Tests/Benchmarks/WebhookBench", extra: [.product(name: "Hummingbird", package: "hummingbird")]),
    serviceBenchmark("oms-notification-bench", service: "IntegrationsService", path: "Tests/Benchmarks/NotificationBench", extra: [.product(name: "Hummingbird", package: "hummingbird")]),
    .testTarget(
        name: "DomainTests",
        dependencies: ["OMSDomain", "OMSPlatform"],
        path: "Tests/DomainTests"
    ),
    // What the intake fuzzer exercises (Deploy/fuzz/fuzz-intake.sh), and its runner: a libFuzzer
    // target when built with -DFUZZING, otherwise a replay of the input files it is given.
    .target(
        name: "IntakeFuzzing",
        dependencies: ["IntakeService", "OMSDomain", "OMSPlatform"],
        path: "Tests/Fuzz/IntakeFuzzing"
    ),
    .executableTarget(
        name: "oms-fuzz-intake",
        dependencies: ["IntakeFuzzing"],
        path: "Tests/Fuzz/Runner"
    ),
    .testTarget(
        name: "IntakeTests",
        dependencies: ["IntakeService", "OMSDomain", "OMSPlatform", "IntakeFuzzing", "OMSDemo"],
        path: "Tests/IntakeTests"
    ),
    .testTarget(
        name: "RiskTests",
        dependencies: ["RiskService", "OMSDomain", "OMSPlatform"],
        path: "Tests/RiskTests"
    ),
    .testTarget(
        name: "InventoryTests",
        dependencies: ["InventoryService", "OMSDomain"],
        path: "Tests/InventoryTests"
    ),
    .testTarget(
        name: "FulfillmentTests",
        dependencies: ["FulfillmentService", "OMSDomain"],
        path: "Tests/FulfillmentTests"
    ),
    .testTarget(
        name: "LogisticsTests",
        dependencies: ["LogisticsService", "OMSDomain", "OMSDemo"],
        path: "Tests/LogisticsTests"
    ),
    .testTarget(
        name: "OpsTests",
        dependencies: ["OMSOps", "OMSDemo", "OMSDomain", "OMSPlatform", "IntakeService", "FulfillmentService", "LogisticsService"],
        path: "Tests/OpsTests"
    ),
    .testTarget(
        name: "InsightsTests",
        dependencies: ["InsightsService", "OMSDomain", "OMSPlatform"],
        path: "Tests/InsightsTests"
    ),
    .testTarget(
        name: "IntegrationsTests",
        dependencies: ["IntegrationsService", "OMSDomain", "OMSPlatform", .product(name: "Crypto", package: "swift-crypto")],
        path: "Tests/IntegrationsTests"
    ),
    .testTarget(
        name: "AfterSalesTests",
        dependencies: ["AfterSalesService", "OMSDomain", "OMSPlatform",
                       .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
                       .product(name: "NIOHTTP1", package: "swift-nio")],
        path: "Tests/AfterSalesTests"
    ),
    .testTarget(
        name: "PlatformIntegrationTests",
        dependencies: ["OMSDomain", "OMSKafka", "OMSPlatform", "OMSOps", "OMSDemo", "ConsoleService"] + services.map { .init(stringLiteral: $0.name) } + [
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ],
        path: "Tests/PlatformIntegrationTests"
    ),
]

// The back-office console (issue 27): a web application for staff, not a Kafka participant. It
// owns the `console` schema (staff, sessions) and acts through the services' HTTP APIs only.
// (library, folder, executable) as for the services; Deploy/checks reads this line.
let console: (name: String, folder: String, executable: String) = ("ConsoleService", "Console", "oms-console")
targets.append(contentsOf: [
    .target(
        name: "ConsoleService",
        dependencies: [
            "OMSDomain", "OMSPlatform",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ],
        path: "Services/Console/Sources"
    ),
    .executableTarget(
        name: "oms-console",
        dependencies: ["ConsoleService", "OMSPlatform", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
        path: "Services/Console/Main"
    ),
    .testTarget(
        name: "ConsoleTests",
        dependencies: ["ConsoleService", "OMSPlatform"],
        path: "Tests/ConsoleTests"
    ),
])

/// Extra dependencies of individual services.
let serviceDeps: [String: [Target.Dependency]] = [
    "LogisticsService": [.product(name: "Crypto", package: "swift-crypto"), .product(name: "AsyncHTTPClient", package: "async-http-client")],
    "AfterSalesService": [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "CryptoExtras", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ],
    "IntegrationsService": [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    ],
]

for service in services {
    targets.append(.target(name: service.name, dependencies: platformDeps + (serviceDeps[service.name] ?? []), path: "Services/\(service.folder)/Sources"))
    targets.append(.executableTarget(
        name: service.executable,
        dependencies: [.init(stringLiteral: service.name), "OMSPlatform"],
        path: "Services/\(service.folder)/Main"
    ))
}

let package = Package(
    name: "RetailOMS",
    platforms: [.macOS(.v14)],
    products: services.map { .executable(name: $0.executable, targets: [$0.executable]) } + [
        .executable(name: "omsctl", targets: ["omsctl"]),
        .executable(name: "oms-console", targets: ["oms-console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: targets
)
