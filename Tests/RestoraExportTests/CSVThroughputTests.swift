import Foundation
import RestoraReports
import Testing
@testable import RestoraExport

private let benchmarkParticipants = ProcessInfo.processInfo.environment["RESTORA_EXPORT_BENCH"].flatMap(Int.init)

/// Throughput of the CSV and ODM package writers on the demo clinic's records repeated to
/// RESTORA_EXPORT_BENCH participants (a measurement, not a check; docs/csv-export.md "Speed"):
/// RESTORA_EXPORT_BENCH=20000 swift test --skip-build --disable-xctest --filter CSVThroughputTests
@Suite(.enabled(if: benchmarkParticipants != nil, "set RESTORA_EXPORT_BENCH to a participant count to measure"))
struct CSVThroughputTests {
    static var participants: Int? { benchmarkParticipants }

    func measure(_ name: String, _ make: (ExportContext, URL) throws -> any ExportPackageWriter) async throws {
        let demo = try await ExportDemo.get()
        let context = try await demo.context("isotretinoin-noa")
        let source = try await demo.participants(of: "isotretinoin-noa")
        let folder = try ExportDemo.temporaryFolder("csv-bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = try make(context, folder)
        let count = Self.participants ?? 0
        let start = Date()
        for first in stride(from: 0, to: count, by: 500) {
            let chunk = (first..<min(first + 500, count)).map { i -> ExportParticipant in
                var participant = ExportParticipant.identified(source[i % source.count])
                participant.subjectID = "P\(i)"
                return participant
            }
            try writer.write(chunk)
        }
        let files = try writer.finish()
        let seconds = Date().timeIntervalSince(start)
        let rows = files.reduce(0) { $0 + $1.rows }
        let bytes = try files.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($1.name).path)[.size] as? Int) ?? 0) }
        print("\(name): \(count) participants, \(rows) rows in \(String(format: "%.2f", seconds)) s = \(Int(Double(rows) / seconds)) rows/s, \(bytes / 1_000_000) MB")
    }

    @Test func csvPackage() async throws {
        try await measure("CSV package") { try CSVPackageWriter(context: $0, directory: $1) }
    }

    @Test func odmPackage() async throws {
        try await measure("ODM package") { try ODMPackageWriter(context: $0, directory: $1) }
    }
}
