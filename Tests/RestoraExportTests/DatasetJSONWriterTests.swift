import Foundation
import RestoraDomain
import Testing
@testable import RestoraExport

/// Dataset-JSON 1.1 (docs/xpt-format.md): parsed back with JSONSerialization, every attribute, column and value
/// equals what was written; refusals leave nothing behind.
@Suite struct DatasetJSONWriterTests {
    /// An export context on the isotretinoin protocol, without a database.
    static func context(deidentified: Bool = false) throws -> ExportContext {
        let catalog = try ExportDemo.catalog()
        let definition = try #require(catalog.protocols.first { $0.id == "isotretinoin-noa" })
        let program = Program(id: Identifier("program-1"), protocolID: definition.id,
                              protocolVersion: definition.version, name: "Isotretinoin <&> \"NOA\"", siteIDs: [])
        return ExportContext(program: program, definition: definition, studyID: "ISOTRETINOIN-NOA",
                             createdAt: Date(timeIntervalSince1970: 1_764_919_290), sourceSystemVersion: "1.2.3",
                             deidentified: deidentified, synthetic: true)
    }

    static let spec = DatasetSpec(
        name: "LB", label: "Laboratory Test Results", observationClass: "FINDINGS",
        structure: "One record per lab test per time point per visit per subject", keys: ["USUBJID", "LBSEQ"],
        variables: [
            VariableSpec(name: "USUBJID", label: "Unique Subject Identifier", dataType: .text),
            VariableSpec(name: "LBSEQ", label: "Sequence Number", dataType: .integer),
            VariableSpec(name: "LBSTRESN", label: "Numeric Result/Finding in Std Units", dataType: .float),
            VariableSpec(name: "LBDTC", label: "Date/Time of Specimen Collection", dataType: .datetime),
            VariableSpec(name: "LBCOMM", label: "Comment \"quoted\" \\ back", dataType: .text),
        ])

    static let rows: [[ExportValue]] = [
        [.text("S-001"), .integer(1), .number(0.1), .text("2025-03-04T09:30:00"), .text("line\nbreak \"q\" \\ é ✓ \u{1}")],
        [.text("S-0002"), .integer(2), .missing, .text("2025"), .text("")],
        [.text("S-3"), .integer(9_007_199_254_740_992), .number(-7.2e75), .missing, .missing],
        [.text("S-4"), .integer(-3), .number(1e-300), .text("2025-03"), .text("x")],
    ]

    @Test("attributes in the specification's order, columns with length and keySequence, every value back")
    func roundTrip() throws {
        let directory = try ExportDemo.temporaryFolder("dsjson")
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try DatasetJSONWriter(spec: Self.spec, directory: directory, context: try Self.context())
        for row in Self.rows { try writer.append(row) }
        #expect(try writer.finish() == [ExportedFile(name: "lb.json", rows: 4, description: "LB as CDISC Dataset-JSON 1.1")])
        #expect(XPTWriterTests.contents(directory) == ["lb.json"])
        let data = try Data(contentsOf: directory.appendingPathComponent("lb.json"))
        let text = String(decoding: data, as: UTF8.self)
        // The recommended order: records before columns, rows last.
        let order = ["datasetJSONCreationDateTime", "datasetJSONVersion", "fileOID", "dbLastModifiedDateTime", "originator",
                     "sourceSystem", "studyOID", "metaDataVersionOID", "metaDataRef", "itemGroupOID", "records", "name",
                     "label", "columns", "rows"]
        let positions = order.map { text.range(of: "\n  \"\($0)\":")?.lowerBound }   // top level: two-space indent
        #expect(!positions.contains(nil))
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["datasetJSONCreationDateTime"] as? String == "2025-12-05T07:21:30Z")
        #expect(object["datasetJSONVersion"] as? String == "1.1.0")
        #expect(object["dbLastModifiedDateTime"] as? String == "2025-12-05T07:21:30Z")
        #expect(object["fileOID"] as? String == "STUDY.ISOTRETINOIN-NOA.LB.2025-12-05T07:21:30Z")
        #expect(object["originator"] as? String == "Restora")
        #expect((object["sourceSystem"] as? [String: String]) == ["name": "Restora", "version": "1.2.3"])
        #expect(object["studyOID"] as? String == "STUDY.ISOTRETINOIN-NOA")
        #expect(object["metaDataVersionOID"] as? String == "MDV.ISOTRETINOIN-NOA.SDTMIG.3.4")
        #expect(object["metaDataRef"] as? String == "define.xml")
        #expect(object["itemGroupOID"] as? String == "IG.LB")
        #expect(object["records"] as? Int == 4)
        #expect(object["name"] as? String == "LB")
        #expect(object["label"] as? String == "Laboratory Test Results")
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(columns.map { $0["itemOID"] as? String } == Self.spec.variables.map { "IT.LB.\($0.name)" })
        #expect(columns.map { $0["name"] as? String } == Self.spec.variables.map(\.name))
        #expect(columns.map { $0["label"] as? String } == Self.spec.variables.map(\.label))
        #expect(columns.map { $0["dataType"] as? String } == ["string", "integer", "float", "datetime", "string"])
        let longestComment = Self.rows.compactMap { row -> Int? in if case .text(let s) = row[4] { return s.count } else { return nil } }.max()
        #expect(columns.map { $0["length"] as? Int } == [6, nil, nil, nil, longestComment])
        #expect(columns.map { $0["keySequence"] as? Int } == [1, 2, nil, nil, nil])

        let rows = try #require(object["rows"] as? [[Any]])
        #expect(rows.count == Self.rows.count)
        for (r, (read, written)) in zip(rows, Self.rows).enumerated() {
            #expect(read.count == written.count)
            for (v, (cell, value)) in zip(read, written).enumerated() {
                switch value {
                case .missing: #expect(cell is NSNull, "row \(r + 1) column \(v + 1)")
                case .text(let s): #expect(cell as? String == s, "row \(r + 1) column \(v + 1)")
                case .number(let n):
                    #expect((cell as? NSNumber)?.doubleValue == n, "row \(r + 1) column \(v + 1)")
                }
            }
        }
        // Integers are JSON integers (no ".0"), 2^53 included.
        #expect(text.contains("\"S-3\", 9007199254740992, -7.2e+75"))
    }

    @Test("no rows: records 0 and an empty rows array")
    func empty() throws {
        let directory = try ExportDemo.temporaryFolder("dsjson")
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try DatasetJSONWriter(spec: Self.spec, directory: directory, context: try Self.context())
        _ = try writer.finish()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("lb.json"))) as? [String: Any])
        #expect(object["records"] as? Int == 0)
        #expect((object["rows"] as? [Any])?.isEmpty == true)
        #expect((object["columns"] as? [[String: Any]])?.first?["length"] as? Int == 1)
    }

    @Test("refusals name dataset, variable and row, and leave nothing behind")
    func refusals() throws {
        let cases: [([ExportValue], [String])] = [
            ([.text("S"), .integer(1)], ["dataset LB", "row 2", "2 values for 5 variables"]),
            ([.text("S"), .number(1.5), .missing, .missing, .missing], ["variable LBSEQ", "row 2", "not an integer"]),
            ([.text("S"), .integer(1), .number(.infinity), .missing, .missing], ["variable LBSTRESN", "row 2", "not a finite"]),
            ([.text("S"), .text("1"), .missing, .missing, .missing], ["variable LBSEQ", "row 2", "text value in a numeric"]),
            ([.number(1), .integer(1), .missing, .missing, .missing], ["variable USUBJID", "row 2", "number in a character"]),
        ]
        for (bad, fragments) in cases {
            let directory = try ExportDemo.temporaryFolder("dsjson")
            defer { try? FileManager.default.removeItem(at: directory) }
            var writer = try DatasetJSONWriter(spec: Self.spec, directory: directory, context: try Self.context())
            try writer.append(Self.rows[0])
            do {
                try writer.append(bad)
                Issue.record("not refused: \(bad)")
            } catch let error as ExportError {
                for fragment in fragments { #expect(error.message.contains(fragment), "\(error.message)") }
            }
            #expect(throws: ExportError.self) { _ = try writer.finish() }
            #expect(XPTWriterTests.contents(directory) == [])
        }
        let directory = try ExportDemo.temporaryFolder("dsjson")
        defer { try? FileManager.default.removeItem(at: directory) }
        var wrongKey = Self.spec
        wrongKey.keys = ["NOPE"]
        #expect(throws: ExportError.self) { _ = try DatasetJSONWriter(spec: wrongKey, directory: directory, context: try Self.context()) }
        #expect(XPTWriterTests.contents(directory) == [])
    }
}
