import Foundation
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// SDTM packages of the seeded demo clinic, streamed chunk by chunk from the stored program as an export reads
/// it (`StoredProgramData.stream`), written by `SDTMPackageWriter`.
@Suite struct SDTMPackageTests {
    /// A writer that keeps the rows it is given, so a test can compare a package's files with what was written.
    final class Collected: @unchecked Sendable {
        var rows: [String: [[ExportValue]]] = [:]
        var specs: [String: DatasetSpec] = [:]
    }

    struct CollectingWriter: DatasetWriter {
        let spec: DatasetSpec
        let store: Collected
        mutating func append(_ row: [ExportValue]) throws {
            guard row.count == spec.variables.count else { throw ExportError("\(spec.name): row of \(row.count) values") }
            store.rows[spec.name, default: []].append(row)
        }
        mutating func finish() throws -> [ExportedFile] {
            [ExportedFile(name: spec.name.lowercased() + ".rows", rows: store.rows[spec.name]?.count ?? 0, description: "collected")]
        }
    }

    static let programs = ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"]

    /// Streams the program through a package writer made by `make`, in chunks of 7 participants.
    static func write(_ protocolID: String, chunkSize: Int = 7,
                      make: (ExportContext) throws -> SDTMPackageWriter) async throws -> (ExportContext, [ExportedFile]) {
        let demo = try await ExportDemo.get()
        let context = try await demo.context(protocolID)
        var writer = try make(context)
        try await StoredProgramData.stream(program: try await demo.program(protocolID), repositories: demo.storage.repositories,
                                           chunkSize: chunkSize) { chunk in
            try writer.write(chunk.map(ExportParticipant.identified))
        }
        return (context, try writer.finish())
    }

    static func collect(_ protocolID: String) async throws -> Collected {
        let store = Collected()
        _ = try await write(protocolID) { context in
            try SDTMPackageWriter(context: context, directory: FileManager.default.temporaryDirectory, makeWriters: { spec, _, _ in
                store.specs[spec.name] = spec
                return [CollectingWriter(spec: spec, store: store)]
            }, writeDefine: nil)
        }
        return store
    }

    static func column(_ store: Collected, _ dataset: String, _ name: String) -> [ExportValue] {
        guard let spec = store.specs[dataset], let index = spec.variables.firstIndex(where: { $0.name == name }) else { return [] }
        return (store.rows[dataset] ?? []).map { $0[index] }
    }

    @Test(arguments: programs)
    func everySubjectIsInDMOnceAndEveryRecordBelongsToOne(_ protocolID: String) async throws {
        let store = try await Self.collect(protocolID)
        let subjects = Self.column(store, "DM", "USUBJID")
        #expect(!subjects.isEmpty)
        #expect(Set(subjects).count == subjects.count, "a subject twice in DM")
        for (name, _) in store.rows where name != "DM" && !["TA", "TE", "TV", "TI", "TS"].contains(name) {
            let unknown = Set(Self.column(store, name, "USUBJID")).subtracting(subjects)
            #expect(unknown.isEmpty, "\(name) has records of subjects not in DM: \(unknown.prefix(3))")
        }
        for dataset in SDTMMapping.subjectDatasets.map(\.name) where dataset != "DM" {
            let keys = zip(Self.column(store, dataset, "USUBJID"), Self.column(store, dataset, "\(dataset)SEQ")).map { "\($0)|\($1)" }
            #expect(Set(keys).count == keys.count, "\(dataset): a --SEQ repeats within a subject")
        }
        // Every VISITNUM written is a visit of TV.
        let planned = Set(Self.column(store, "TV", "VISITNUM"))
        for dataset in ["LB", "MK"] {
            let used = Set(Self.column(store, dataset, "VISITNUM")).subtracting([.missing])
            #expect(used.isSubset(of: planned), "\(dataset) VISITNUM not in TV: \(used.subtracting(planned))")
        }
        // Study days: never 0.
        for (name, spec) in store.specs {
            for variable in spec.variables where variable.name.hasSuffix("DY") && variable.name != "VISITDY" {
                #expect(!Self.column(store, name, variable.name).contains(.number(0)), "\(name).\(variable.name) has a day 0")
            }
        }
    }

    @Test func theIsotretinoinPackageHasLabsSemenGradesAndDisposition() async throws {
        let store = try await Self.collect("isotretinoin-noa")
        let tests = Set(Self.column(store, "LB", "LBTESTCD"))
        for code in ["VOLUME", "SPERM", "TRIG", "ALT", "AST", "CHOL"] { #expect(tests.contains(.text(code)), "LB lacks \(code)") }
        #expect(Self.column(store, "LB", "LBSPEC").contains(.text("SEMEN")))
        #expect(Self.column(store, "LB", "LBTOXGR").contains { if case .text = $0 { true } else { false } })
        #expect(Self.column(store, "SUPPLB", "QNAM").contains(.text("SEMCLASS")))
        #expect(Self.column(store, "DS", "DSDECOD").contains(.text("COMPLETED")))
        #expect(Self.column(store, "EX", "EXTRT").allSatisfy { $0 == .text("ISOTRETINOIN") })
        #expect(!(store.rows["AE"] ?? []).isEmpty)
        #expect(Self.column(store, "TS", "TSPARMCD").contains(.text("AGEMIN")))
        #expect(Self.column(store, "TS", "TSVAL").contains(.text("P21Y")))
    }

    @Test func theOsteoporosisPackageHasBoneDensityInjectionsAndProcedures() async throws {
        let store = try await Self.collect("msc-osteoporosis")
        #expect(Set(Self.column(store, "MK", "MKTESTCD")) == [.text("BMD"), .text("TSCORE")])
        #expect(Self.column(store, "EX", "EXTRT").contains(.text("AUTOLOGOUS MESENCHYMAL STEM CELLS")))
        #expect(Self.column(store, "PR", "PRTRT").contains(.text("TISSUE HARVEST")))
        #expect(Self.column(store, "SUPPPR", "QNAM").contains(.text("PRGUIDE")))
        #expect(Self.column(store, "TS", "TSVAL").contains(.text("BOTH")))
    }

    @Test(arguments: [ExportParticipant.DatePrecision.day, .year])
    func aDeidentifiedPackageHoldsNoIdentifierAndKeepsTheDateRule(_ precision: ExportParticipant.DatePrecision) async throws {
        let demo = try await ExportDemo.get()
        let store = Collected()
        var identifiers: Set<String> = []
        var deidentifier = Deidentifier(datePrecision: precision)
        var writer = try SDTMPackageWriter(
            context: try await demo.context("isotretinoin-noa", deidentified: true), directory: FileManager.default.temporaryDirectory,
            makeWriters: { spec, _, _ in
                store.specs[spec.name] = spec
                return [CollectingWriter(spec: spec, store: store)]
            }, writeDefine: nil)
        try await StoredProgramData.stream(program: try await demo.program("isotretinoin-noa"), repositories: demo.storage.repositories,
                                           chunkSize: 11) { chunk in
            for data in chunk {
                let person = data.record.participant
                identifiers.formUnion([person.id.rawValue, person.mrn, person.givenName, person.familyName].compactMap { $0 })
            }
            try writer.write(chunk.map { deidentifier.deidentify($0) })
        }
        _ = try writer.finish()
        #expect(!identifiers.isEmpty)
        for (name, rows) in store.rows {
            let spec = try #require(store.specs[name])
            for row in rows {
                for (value, variable) in zip(row, spec.variables) {
                    guard case let .text(text) = value else {
                        if precision == .year, variable.name.hasSuffix("DY"), variable.name != "VISITDY" {
                            #expect(value == .missing, "\(name).\(variable.name) is a study day in a year-only export")
                        }
                        continue
                    }
                    for identifier in identifiers where text.contains(identifier) {
                        Issue.record("\(name).\(variable.name) holds an identifier: \(text)")
                    }
                    if precision == .year, [.date, .datetime].contains(variable.dataType) {
                        #expect(text.count == 4, "\(name).\(variable.name) = \(text) in a year-only export")
                    }
                }
            }
        }
    }

    // MARK: - Files and read-back

    static let python = ProcessInfo.processInfo.environment["RESTORA_EXPORT_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let ieeeZero = String(format: "%016llx", (0.0).bitPattern)

    @Test(arguments: programs)
    func thePackageHasAFileForEveryDatasetWritten(_ protocolID: String) async throws {
        let folder = try ExportDemo.temporaryFolder("sdtm")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, files) = try await Self.write(protocolID) { try SDTMPackageWriter(context: $0, directory: folder) }
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        for expected in ["dm.xpt", "ds.xpt", "ta.xpt", "te.xpt", "tv.xpt", "ti.xpt", "ts.xpt", "ae.xpt"] {
            #expect(names.contains(expected), "\(protocolID): no \(expected) in \(names.sorted())")
        }
        for file in files { #expect(names.contains(file.name), "\(file.name) listed but not written") }
        #expect(!names.contains { $0.hasPrefix(".") }, "a spool or partial file was left: \(names.sorted())")
        // Dataset-JSON beside every XPT file, and define.xml describing every dataset and variable written.
        let datasets = names.filter { $0.hasSuffix(".xpt") }.map { String($0.dropLast(4)) }
        for dataset in datasets { #expect(names.contains(dataset + ".json"), "no \(dataset).json beside \(dataset).xpt") }
        #expect(names.contains("define.xml"))
        let define = try String(contentsOf: folder.appendingPathComponent("define.xml"), encoding: .utf8)
        for dataset in datasets {
            let spec = try #require(SDTMMapping.spec(named: dataset.uppercased()))
            #expect(define.contains("Name=\"\(spec.name)\""), "define.xml does not name \(spec.name)")
            for variable in spec.variables {
                #expect(define.contains("Name=\"\(variable.name)\""), "define.xml does not name \(spec.name).\(variable.name)")
            }
        }
        #expect(names.count == datasets.count * 2 + 1, "unexpected files: \(names.sorted())")
    }

    @Test(.enabled(if: SDTMPackageTests.python != nil, "set RESTORA_EXPORT_PYTHON to a python with pyreadstat and pandas"),
          arguments: programs)
    func everyXPTFileReadsBackWithTheValuesWritten(_ protocolID: String) async throws {
        let store = try await Self.collect(protocolID)
        let folder = try ExportDemo.temporaryFolder("sdtm-readback")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, files) = try await Self.write(protocolID) { try SDTMPackageWriter(context: $0, directory: folder) }
        let xpts = files.filter { $0.name.hasSuffix(".xpt") }
        #expect(xpts.count == store.rows.count, "\(xpts.map(\.name)) vs \(store.rows.keys.sorted())")
        for file in xpts {
            let name = String(file.name.dropLast(4)).uppercased()
            let spec = try #require(store.specs[name])
            let written = store.rows[name] ?? []
            let readings = try XPTRoundTripTests.read(folder.appendingPathComponent(file.name), encoding: "ascii")
            for reader in ["pyreadstat", "pandas"] {
                let reading = try #require(readings[reader], "\(reader) did not read \(file.name)")
                #expect(reading.dataset == spec.name && reading.label == spec.label, "\(reader) \(file.name)")
                #expect(reading.names == spec.variables.map(\.name), "\(reader) \(file.name) names")
                #expect(reading.labels == spec.variables.map(\.label), "\(reader) \(file.name) labels")
                #expect(reading.rows.count == written.count, "\(reader) \(file.name) rows")
                for (r, (got, row)) in zip(reading.rows, written).enumerated() {
                    var want = zip(row, spec.variables).map { XPTRoundTripTests.expected($0, $1.kind) }
                    // pandas' XPORT reader turns the IBM zero (eight zero bytes, TS-140) into 16^-65 ≈ 5.4e-79
                    // (pandas issue #50670, XPTRoundTripTests.pandasZero); pyreadstat reads the same bytes as 0.
                    if reader == "pandas" {
                        want = zip(want, got).map { w, g in w == Self.ieeeZero && g == XPTRoundTripTests.pandasZero ? g : w }
                    }
                    if got != want {
                        Issue.record("\(reader) \(file.name) row \(r + 1): read \(got) wrote \(want)")
                        break
                    }
                }
            }
        }
    }
}
