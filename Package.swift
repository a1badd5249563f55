// swift-tools-version:6.0
import PackageDescription

// Module layout and dependency direction: see ../shared/design/ARCHITECTURE.md and README "Architecture".
// RestoraDomain and RestoraStats import nothing of ours; `restora` is the only composition root.
// RestoraWeb never links the database drivers: it is handed repositories through the domain protocols.
let package = Package(
    name: "Restora",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "restora", targets: ["restora"]),
        .library(name: "RestoraDomain", targets: ["RestoraDomain"]),
        .library(name: "RestoraStats", targets: ["RestoraStats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The SMTP client of the notification worker (RestoraNotify); all three were already in the graph
        // through Hummingbird and PostgresNIO, at the versions Package.resolved pins.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "RestoraDomain",
            dependencies: [.product(name: "Yams", package: "Yams")],
            // The CTCAE v5.0 term list adverse events are coded with (docs/safety.md), compiled in like the
            // built-in protocols so the binary runs from any folder.
            resources: [.embedInCode("Safety/Resources/ctcae-v5-terms.csv")]
        ),
        .target(name: "RestoraStats"),
        // Byte-level CSV reader (RFC 4180, numbers parsed from bytes) for `restora stats` and imports; no dependencies.
        .target(name: "RestoraCSV"),
        .target(name: "RestoraReports", dependencies: ["RestoraDomain", "RestoraStats"]),
        // Research data exports (issue #18): CSV with a data dictionary, CDISC SDTM as SAS XPORT v5, Dataset-JSON
        // and define.xml, ODM 1.3.2, and de-identified extracts; streamed from the program's chunks of records.
        .target(
            name: "RestoraExport",
            dependencies: ["RestoraDomain", "RestoraReports", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Synthetic demo clinic (labelled synthetic everywhere); pure, built from domain values only.
        .target(name: "RestoraDemo", dependencies: ["RestoraDomain"]),
        // One C call Swift cannot make (a variadic function of SQLiteNIO's SQLite): the query planner
        // stability guarantee for the connections that keep their prepared statements.
        .target(name: "RestoraSQLiteShim"),
        .target(
            name: "RestoraStorage",
            dependencies: [
                "RestoraDomain", "RestoraSQLiteShim",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RestoraWeb",
            dependencies: [
                "RestoraDomain", "RestoraStats", "RestoraReports", "RestoraExport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/assets")]
        ),
        // Notifications (issue #15 item 6): the delivery worker that runs inside `restora serve` and a minimal
        // SMTP client on SwiftNIO with STARTTLS (swift-nio-ssl). Storage comes in as the domain's repositories.
        .target(
            name: "RestoraNotify",
            dependencies: [
                "RestoraDomain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "restora",
            dependencies: [
                "RestoraDomain", "RestoraStats", "RestoraReports", "RestoraDemo", "RestoraStorage", "RestoraWeb", "RestoraCSV",
                "RestoraNotify", "RestoraExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `restora serve` runs the HTTP application and the notification worker in one service group.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // `restora serve --tls-cert/--tls-key` (swift-nio-ssl underneath, already in the graph via PostgresNIO).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The built-in protocols are compiled into the binary, so it runs from any folder (`protocols/` at the
            // package root is a link to this folder; a protocols folder given at run time adds or overrides by id).
            resources: [
                .embedInCode("Resources/protocols/asc-azoospermia.yaml"),
                .embedInCode("Resources/protocols/isotretinoin-noa.yaml"),
                .embedInCode("Resources/protocols/isotretinoin-rct.yaml"),  // examples/protocols' randomised trial (the demo runs it)
                .embedInCode("Resources/protocols/msc-osteoporosis.yaml"),
            ]
        ),
        .testTarget(name: "RestoraDomainTests", dependencies: ["RestoraDomain"]),
        .testTarget(name: "RestoraStatsTests", dependencies: ["RestoraStats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RestoraReportsTests", dependencies: ["RestoraReports", "RestoraDemo", "RestoraStorage", "RestoraDomain", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RestoraDemoTests", dependencies: ["RestoraDemo"]),
        .testTarget(
            name: "RestoraExportTests",
            dependencies: [
                "RestoraExport", "RestoraReports", "RestoraDemo", "RestoraStorage", "RestoraDomain",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RestoraCSVTests", dependencies: ["RestoraCSV"]),
        .testTarget(
            name: "RestoraNotifyTests",
            dependencies: [
                "RestoraNotify", "RestoraStorage", "RestoraDomain", .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        .testTarget(
            name: "RestoraStorageTests",
            dependencies: [
                "RestoraStorage", "RestoraDomain", "RestoraSQLiteShim", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RestoraWebTests",
            dependencies: [
                "RestoraWeb", "RestoraStorage", "RestoraDomain", "RestoraDemo", "RestoraReports",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The export tests check downloaded files against the manifest's SHA-256 (issue #18).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Page snapshots are read from the source tree by path (PageSnapshotTests), not bundled.
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "restoraTests",
            dependencies: [
                "restora", "RestoraDemo", "RestoraStorage", "RestoraDomain", .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
