import Foundation
import Testing
@testable import RestoraExport

/// Throughput of the XPT and Dataset-JSON writers on an LB-shaped dataset (docs/xpt-format.md "Speed"), only
/// when RESTORA_EXPORT_BENCH is set (a measurement, not a check): prints rows per second and the file sizes.
/// RESTORA_EXPORT_BENCH=300000 swift test --skip-build --disable-xctest --filter XPTThroughputTests
@Suite(.enabled(if: ExportReaders.benchmarkRows != nil, "set RESTORA_EXPORT_BENCH to a row count to measure"))
struct XPTThroughputTests {
    static var rows: Int? { ExportReaders.benchmarkRows }

    static let spec = DatasetSpec(name: "LB", label: "Laboratory Test Results", keys: ["USUBJID", "LBSEQ"], variables: [
        VariableSpec(name: "STUDYID", label: "Study Identifier", dataType: .text),
        VariableSpec(name: "DOMAIN", label: "Domain Abbreviation", dataType: .text),
        VariableSpec(name: "USUBJID", label: "Unique Subject Identifier", dataType: .text),
        VariableSpec(name: "LBSEQ", label: "Sequence Number", dataType: .integer),
        VariableSpec(name: "LBTESTCD", label: "Lab Test or Examination Short Name", dataType: .text),
        VariableSpec(name: "LBTEST", label: "Lab Test or Examination Name", dataType: .text),
        VariableSpec(name: "LBORRES", label: "Result or Finding in Original Units", dataType: .text),
        VariableSpec(name: "LBORRESU", label: "Original Units", dataType: .text),
        VariableSpec(name: "LBSTRESN", label: "Numeric Result/Finding in Std Units", dataType: .float),
        VariableSpec(name: "VISITNUM", label: "Visit Number", dataType: .float),
        VariableSpec(name: "LBDTC", label: "Date/Time of Specimen Collection", dataType: .datetime),
        VariableSpec(name: "LBDY", label: "Study Day of Specimen Collection", dataType: .integer),
    ])

    static func row(_ i: Int) -> [ExportValue] {
        let value = Double(i % 1000) / 10
        return [.text("ISOTRETINOIN-NOA"), .text("LB"), .text("ISOTRETINOIN-NOA-\(i / 20)"), .integer(i % 20 + 1),
                .text("SPCONC"), .text("Sperm Concentration"), .text(String(value)), .text("10^6/mL"),
                i % 11 == 0 ? .missing : .number(value), .number(Double(i % 7)), .text("2025-03-04T09:30:00"), .integer(i % 400 - 10)]
    }

    func measure(_ name: String, _ make: (URL) throws -> any DatasetWriter) throws {
        let count = Self.rows ?? 0
        let directory = try XPTWriterTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try make(directory)
        let rows = (0..<1000).map(Self.row)
        let start = Date()
        for i in 0..<count { try writer.append(rows[i % 1000]) }
        let files = try writer.finish()
        let seconds = Date().timeIntervalSince(start)
        let size = (try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(files[0].name).path)[.size] as? Int) ?? 0
        print("\(name): \(count) rows in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds)) rows/s, \(size / 1_000_000) MB")
    }

    @Test func xpt() throws {
        try measure("XPT") { try XPTDatasetWriter(spec: Self.spec, directory: $0) }
    }

    @Test func datasetJSON() throws {
        let context = try DatasetJSONWriterTests.context()
        try measure("Dataset-JSON") { try DatasetJSONWriter(spec: Self.spec, directory: $0, context: context) }
    }
}
