// swift-tools-version:6.0
import PackageDescription

// Module layout and dependency direction: see ../shared/design/ARCHITECTURE.md and README "Architecture".
// RestoraDomain and RestoraStats import nothing of ours; `restora` is the only composition root.
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
    ],
    targets: [
        .target(
            name: "RestoraDomain",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "RestoraStats"),
        .target(name: "RestoraReports", dependencies: ["RestoraDomain", "RestoraStats"]),
        // Synthetic demo clinic (labelled synthetic everywhere); pure, built from domain values only.
        .target(name: "RestoraDemo", dependencies: ["RestoraDomain"]),
        .target(name: "RestoraStorage", dependencies: ["RestoraDomain"]),
        .target(name: "RestoraWeb", dependencies: ["RestoraDomain", "RestoraStats", "RestoraReports"]),
        .executableTarget(
            name: "restora",
            dependencies: [
                "RestoraDomain", "RestoraStats", "RestoraReports", "RestoraDemo", "RestoraStorage", "RestoraWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RestoraDomainTests", dependencies: ["RestoraDomain"]),
        .testTarget(name: "RestoraStatsTests", dependencies: ["RestoraStats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RestoraReportsTests", dependencies: ["RestoraReports", "RestoraDemo"]),
        .testTarget(name: "RestoraDemoTests", dependencies: ["RestoraDemo"]),
        .testTarget(name: "RestoraStorageTests", dependencies: ["RestoraStorage"]),
        .testTarget(name: "RestoraWebTests", dependencies: ["RestoraWeb"]),
        .testTarget(name: "restoraTests", dependencies: ["restora"]),
    ],
    swiftLanguageModes: [.v6]
)
