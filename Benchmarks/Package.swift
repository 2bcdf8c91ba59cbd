// swift-tools-version: 6.1
// Benchmarks for LaborMatch (package-benchmark), kept in a nested package so that the main build stays lean.
// Run from this folder: swift package benchmark   (or: swift package benchmark --target ScoringBenchmarks)
import PackageDescription

let package = Package(
    name: "LaborMatchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "LaborMatch", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ScoringBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MatchCore", package: "LaborMatch"),
                .product(name: "LaborModel", package: "LaborMatch"),
            ],
            path: "Benchmarks/Scoring",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
