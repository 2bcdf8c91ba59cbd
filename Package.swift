// swift-tools-version: 6.0
// LaborMatch: batch matching of Longlin's labour registry against Shenzhen job posts.
// Dependencies point one way: labormatch (CLI) → LaborPlan, LaborReport, LaborShard → LaborStore → LaborModel → MatchCore → CBLAS, CLAPACKE, CScanKernel.
import PackageDescription

let package = Package(
    name: "LaborMatch",
    products: [
        .executable(name: "labormatch", targets: ["labormatch"]),
        .library(name: "MatchCore", targets: ["MatchCore"]),
        .library(name: "LaborModel", targets: ["LaborModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The report's page template.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Scenario files of the planner.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // The .xlsx container (a ZIP archive) of the staff files.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - Implementation details
        // Debian's OpenBLAS (apt: libopenblas-dev; pkg-config name `openblas`). No Swift API of its own.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // Debian's LAPACKE (apt: liblapacke-dev; pkg-config `lapacke`): the learned weights' normal equations.
        .systemLibrary(
            name: "CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),

        // The selection scan's filter (C: picks AVX-512, AVX2 or portable code at run time, which Swift cannot).
        .target(name: "CScanKernel"),

        // MARK: - Public API
        // The engine: Float matrices, indices, capacities. No files, names or SQL.
        .target(name: "MatchCore", dependencies: ["CBLAS", "CLAPACKE", "CScanKernel"]),
        // Domain values, validation, taxonomy, CSV in and out, encoding to MatchCore matrices.
        .target(name: "LaborModel", dependencies: ["MatchCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // The registry (grows with the registry issue).
        .target(name: "LaborStore", dependencies: ["LaborModel", "MatchCore", .product(name: "GRDB", package: "GRDB.swift"),
                                                   .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // The planner: scenarios side by side from one scoring pass (TOML scenario files).
        .target(name: "LaborPlan", dependencies: ["LaborStore", "LaborModel", "MatchCore", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The analytics report: one self-contained HTML page with SVG charts, from the folders the tool writes.
        .target(name: "LaborReport", dependencies: ["LaborStore", "LaborModel", .product(name: "Mustache", package: "swift-mustache")]),
        // Province scale: a match split into worker shards (Slurm array tasks), merged into exactly one machine's files.
        .target(name: "LaborShard", dependencies: ["LaborStore", "LaborModel", "MatchCore"]),
        // The command-line tool.
        .executableTarget(
            name: "labormatch",
            dependencies: [
                "LaborPlan", "LaborReport", "LaborShard", "LaborStore", "LaborModel", "MatchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),

        // MARK: - Unit test bundles
        // Helpers the test bundles share (temporary folders removed at exit, the bundled OR-Library instances).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MatchCoreTests", dependencies: ["MatchCore", "CScanKernel", "TestSupport"]),
        .testTarget(name: "LaborModelTests", dependencies: ["LaborModel", "MatchCore", "TestSupport"]),
        .testTarget(name: "LaborStoreTests", dependencies: ["LaborStore", "LaborModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "LaborMatchCLITests", dependencies: ["labormatch", "LaborModel", "LaborPlan", "LaborReport", "LaborShard", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
