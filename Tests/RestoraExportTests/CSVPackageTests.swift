import Foundation
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// The CSV package of the seeded demo clinic, streamed chunk by chunk from a temporary SQLite store as
/// `ExportRun` does: the dictionary names every column of every table, the wide table has the protocol's
/// columns, the long tables hold the stored records, dates keep only the year when asked, and no free text is
/// written when de-identified. Contents are read back with Python's csv module (RESTORA_EXPORT_PYTHON).
@Suite struct CSVPackageTests {
    struct Package {
        var folder: URL
        var files: [ExportedFile]
        var participants: [ExportParticipant]
        var context: ExportContext
    }

    /// Streams the stored program of `context` from the demo store in chunks of `chunkSize` into `writer`, as
    /// `ExportRun` does, after `edit` (a test's change to the stored records). A de-identified export here keeps
    /// the stored records (the notes included) but reduces dates to the year and gives every age as "90 or
    /// older": the writers themselves must leave out free text. Returns the participants written, in order.
    static func stream(_ context: ExportContext, into writer: inout some ExportPackageWriter, chunkSize: Int,
                       edit: (inout [ProgramParticipantData]) -> Void = { _ in }) async throws -> [ExportParticipant] {
        let demo = try await ExportDemo.get()
        var all: [ExportParticipant] = []
        try await StoredProgramData.stream(program: context.program, repositories: demo.storage.repositories, chunkSize: chunkSize) { chunk in
            var chunk = chunk
            edit(&chunk)
            let participants = chunk.map { data -> ExportParticipant in
                context.deidentified
                    ? ExportParticipant(data: data, subjectID: "R\(1001 + all.count)", ageYears: nil, ageText: "90 or older",
                                        datePrecision: .year, deidentified: true)
                    : .identified(data)
            }
            try writer.write(participants)
            all += participants
        }
        return all
    }

    /// Exports `protocolID` through `CSVPackageWriter`, in chunks of 7 participants, each chunk formatted in
    /// `cores` runs at once.
    static func export(_ protocolID: String, deidentified: Bool = false, cores: Int = 2) async throws -> Package {
        let context = try await ExportDemo.get().context(protocolID, deidentified: deidentified)
        let folder = try ExportDemo.temporaryFolder("csv-package")
        var writer = try CSVPackageWriter(context: context, directory: folder, cores: cores)
        let all = try await stream(context, into: &writer, chunkSize: 7)
        // signatures.csv, which the dictionary lists, is written beside the tables by ExportRun (from the store);
        // the demo has no signatures, so an empty table here, as a run writes it.
        let files = try writer.finish() + SignaturesCSV.write([], subjects: [:], deidentified: deidentified, directory: folder)
        return Package(folder: folder, files: files, participants: all, context: context)
    }

    /// The header of a CSV file (the package's names need no quoting).
    static func header(_ file: URL) throws -> [String] {
        let text = try String(contentsOf: file, encoding: .utf8)
        return String(text[..<text.range(of: "\r\n")!.lowerBound]).components(separatedBy: ",")
    }

    /// Every CSV of the folder read by Python's csv module: file name → rows (header first).
    static func readAll(_ folder: URL) throws -> [String: [[String]]] {
        let script = """
        import csv, io, json, os, sys
        out = {}
        for name in sorted(os.listdir(sys.argv[1])):
            if name.endswith('.csv'):
                with open(os.path.join(sys.argv[1], name), newline='', encoding='utf-8') as f:
                    out[name] = list(csv.reader(f, strict=True))
        print(json.dumps(out))
        """
        return try JSONDecoder().decode([String: [[String]]].self, from: XPTRoundTripTests.runPython(["-c", script, folder.path]))
    }

    /// A chunk is formatted in runs of participants on several threads and appended run by run: every file
    /// must be byte for byte the file written one participant after another, whatever the number of runs.
    @Test(arguments: [2, 3, 7])
    func formattingAChunkInParallelRunsWritesTheSameFilesAsOneByOne(cores: Int) async throws {
        for protocolID in ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"] {
            let single = try await Self.export(protocolID, cores: 1)
            let parallel = try await Self.export(protocolID, cores: cores)
            #expect(parallel.files == single.files)
            #expect(single.files.contains { $0.name == "observations.csv" && $0.rows > 0 })
            for file in single.files {
                let one = try Data(contentsOf: single.folder.appendingPathComponent(file.name))
                let many = try Data(contentsOf: parallel.folder.appendingPathComponent(file.name))
                #expect(one == many, "\(protocolID) \(file.name) differs when formatted in \(cores) runs")
            }
        }
    }

    @Test func chunkRunsCoverEveryParticipantOnceInOrder() {
        #expect(CSVPackageWriter.runs(7, cores: 2) == [0..<3, 3..<7])
        #expect(CSVPackageWriter.runs(1, cores: 2) == [0..<1])
        #expect(CSVPackageWriter.runs(5, cores: 1) == [0..<5])
        #expect(CSVPackageWriter.runs(10, cores: 16) == [0..<2, 2..<5, 5..<7, 7..<10])
        #expect(CSVPackageWriter.runs(3, cores: 0) == [0..<3])
    }

    @Test func dictionaryNamesEveryColumnOfEveryTableAndTheWideTableHasTheProtocolsColumns() async throws {
        let package = try await Self.export("isotretinoin-noa")
        let wideName = "demo-program-isotretinoin-noa_visits_wide.csv"
        #expect(package.files.map(\.name) == [
            "participants.csv", "observations.csv", "adverse_events.csv", "medications.csv", "procedures.csv", "visits.csv",
            "enrolment_history.csv", wideName, "data_dictionary.csv", "signatures.csv",
        ])
        // The dictionary, read by its own header, against the header of every data file.
        let dictionaryText = try String(contentsOf: package.folder.appendingPathComponent("data_dictionary.csv"), encoding: .utf8)
        #expect(try Self.header(package.folder.appendingPathComponent("data_dictionary.csv")) ==
                ["table", "table_label", "order", "variable", "label", "type", "unit", "codelist", "codes", "origin", "derivation"])
        let dictionaryLines = dictionaryText.components(separatedBy: "\r\n")
        for file in package.files where file.name != "data_dictionary.csv" {
            let table = String(file.name.dropLast(4))
            let lines = dictionaryLines.filter { $0.hasPrefix(table + ",") }
            let columns = try Self.header(package.folder.appendingPathComponent(file.name))
            #expect(lines.count == columns.count, "\(table): \(lines.count) dictionary rows for \(columns.count) columns")
            for (index, column) in columns.enumerated() {
                #expect(lines.contains { $0.contains(",\(index + 1),\(column),") }, "data_dictionary.csv lacks \(table).\(column)")
            }
        }
        // The wide table: the visit columns, then a value and a unit column per code the schedule collects.
        let definition = package.context.definition
        var expected = ["subject", "visit", "visit_title", "planned_day", "date", "study_day", "status"]
        var seen = Set<String>()
        for visit in definition.schedule {
            for id in visit.collect {
                for coding in definition.assessment(id: id)?.codes ?? [] where seen.insert(coding.description).inserted {
                    let name = "\(coding.system.rawValue)_\(coding.code)".lowercased()
                        .replacingOccurrences(of: "-", with: "_")
                    expected += [name, name + "_unit"]
                }
            }
        }
        #expect(try Self.header(package.folder.appendingPathComponent(wideName)) == expected)
        #expect(expected.contains("loinc_9780_8") && expected.contains("restora_semen_classification"))
        // One wide row per visit record, one observations row per observation.
        let rows = Dictionary(package.files.map { ($0.name, $0.rows) }, uniquingKeysWith: { a, _ in a })
        #expect(rows[wideName] == package.participants.reduce(0) { $0 + $1.data.visits.count })
        #expect(rows["observations.csv"] == package.participants.reduce(0) { $0 + $1.data.record.observations.count })
        #expect(rows["participants.csv"] == package.participants.count)
        #expect(rows["adverse_events.csv"] == package.participants.reduce(0) { $0 + $1.data.record.adverseEvents.count })
        #expect((rows["observations.csv"] ?? 0) > 1000)
    }

    @Test(.enabled(if: CSVWriterTests.python != nil, "set RESTORA_EXPORT_PYTHON"))
    func longAndWideTablesReadBackEqualTheStoredRecords() async throws {
        let package = try await Self.export("isotretinoin-noa")
        let read = try Self.readAll(package.folder)
        // Every file is rectangular and its header matches the dictionary, in order.
        let dictionary = try #require(read["data_dictionary.csv"])
        for (name, table) in read where name != "data_dictionary.csv" {
            let header = try #require(table.first)
            #expect(table.allSatisfy { $0.count == header.count }, "\(name) is not rectangular")
            let listed = dictionary.dropFirst().filter { $0[0] == String(name.dropLast(4)) }.map { $0[3] }
            #expect(listed == header, "\(name)")
        }
        // observations.csv: row by row, the stored observation.
        let observations = try #require(read["observations.csv"])
        let column = Dictionary(observations[0].enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var index = 1
        var graded = 0
        for participant in package.participants {
            for observation in participant.data.record.observations {
                let row = observations[index]
                index += 1
                #expect(row[column["subject"]!] == participant.subjectID)
                #expect(row[column["code"]!] == observation.code.code)
                #expect(row[column["code_system"]!] == observation.code.system.rawValue)
                #expect(row[column["date"]!] == participant.dateTimeText(observation.effective))
                switch observation.value {
                case .quantity(let q):
                    #expect(Double(row[column["value_number"]!]) == q.value)
                    #expect(row[column["unit"]!] == q.unit)
                case .integer(let i): #expect(Int(row[column["value_number"]!]) == i)
                case .coded(let c): #expect(row[column["value_code"]!] == c.code)
                case .boolean(let b): #expect(row[column["value_text"]!] == (b ? "Y" : "N"))
                case .text(let t): #expect(row[column["value_text"]!] == t)
                }
                if !row[column["ctcae_grade"]!].isEmpty { graded += 1 }
            }
        }
        #expect(index == observations.count)
        #expect(graded > 0, "no laboratory value was CTCAE graded")
        // The wide table: each value is the latest of its code at that visit.
        let wide = try #require(read["demo-program-isotretinoin-noa_visits_wide.csv"])
        let wideColumn = Dictionary(wide[0].enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var row = 1
        var filled = 0
        for participant in package.participants {
            for visit in participant.data.visits {
                let cells = wide[row]
                row += 1
                #expect(cells[0] == participant.subjectID && cells[1] == visit.visitKey)
                let here = participant.data.record.observations.filter { $0.visitID == visit.id }
                for code in [ClinicalCodes.spermConcentration, ClinicalCodes.triglyceride] {
                    let name = VisitsWideTable.latest(here, of: code).flatMap(\.value.number)
                    let cell = cells[wideColumn[ScheduledCode.variableName(code)]!]
                    #expect(Double(cell) == name, "\(participant.subjectID) \(visit.visitKey) \(code.code)")
                    if name != nil { filled += 1 }
                }
            }
        }
        #expect(filled > 50)
    }

    @Test func deidentifiedPackageKeepsOnlyYearsAndNoFreeText() async throws {
        let package = try await Self.export("isotretinoin-noa", deidentified: true)
        let freeText: [String: Set<String>] = [
            "participants.csv": ["treatment_discontinued_reason"], "observations.csv": ["note"],
            "adverse_events.csv": ["note", "other_specify"], "medications.csv": ["stop_reason"],
            "procedures.csv": ["note", "outcome"], "visits.csv": ["note"], "enrolment_history.csv": ["reason"],
        ]
        for (file, columns) in freeText {
            let header = try Self.header(package.folder.appendingPathComponent(file))
            #expect(Set(header).isDisjoint(with: columns), "\(file) has a free-text column: \(header)")
            let dictionary = try String(contentsOf: package.folder.appendingPathComponent("data_dictionary.csv"), encoding: .utf8)
            for column in columns {
                #expect(!dictionary.components(separatedBy: "\r\n").contains { $0.hasPrefix("\(file.dropLast(4)),") && $0.contains(",\(column),") },
                        "the dictionary describes \(file) \(column)")
            }
        }
        // No stored note, reason or other-specify text appears in any file.
        var texts = Set<String>()
        for participant in package.participants {
            let record = participant.data.record
            texts.formUnion(record.observations.compactMap(\.note))
            texts.formUnion(record.adverseEvents.compactMap(\.note))
            texts.formUnion(participant.data.visits.compactMap(\.note))
            texts.formUnion(participant.data.enrolment.transitions.map(\.reason))
            texts.formUnion(record.procedures.compactMap(\.note))
        }
        // The demo labels its records "SYNTHETIC DEMO DATA: not a real person" (also in the program's name, which
        // the package shows); every other text must be absent.
        texts = texts.filter { $0.count >= 12 && !$0.contains("SYNTHETIC DEMO DATA") }
        #expect(!texts.isEmpty, "the demo has no free text to leave out")
        for file in package.files {
            let content = try String(contentsOf: package.folder.appendingPathComponent(file.name), encoding: .utf8)
            for text in texts { #expect(!content.contains(text), "\(file.name) holds the free text '\(text.prefix(30))'") }
            // No participant id leaks either: the subject is the random study number.
            for participant in package.participants.prefix(5) {
                #expect(!content.contains(participant.data.record.participant.id.rawValue))
            }
        }
        // Dates are the year alone in every date column; ages over 89 are text.
        let dictionary = try String(contentsOf: package.folder.appendingPathComponent("data_dictionary.csv"), encoding: .utf8)
        #expect(dictionary.contains("de-identified"))
        let visits = try String(contentsOf: package.folder.appendingPathComponent("visits.csv"), encoding: .utf8)
        let header = try Self.header(package.folder.appendingPathComponent("visits.csv"))
        let dateIndex = try #require(header.firstIndex(of: "date"))
        let studyDayIndex = try #require(header.firstIndex(of: "study_day"))
        var dated = 0
        for line in visits.components(separatedBy: "\r\n").dropFirst() where !line.isEmpty {
            let fields = line.components(separatedBy: ",")
            let date = fields[dateIndex]
            #expect(date.isEmpty || (date.count == 4 && Int(date) != nil), "visit date \(date) is not a year")
            #expect(fields[studyDayIndex].isEmpty, "a study day is shown while dates are reduced to the year")
            if !date.isEmpty { dated += 1 }
        }
        #expect(dated > 0)
        let participants = try String(contentsOf: package.folder.appendingPathComponent("participants.csv"), encoding: .utf8)
        #expect(participants.contains(",90 or older,"))
    }

    @Test(.enabled(if: CSVWriterTests.python != nil, "set RESTORA_EXPORT_PYTHON"))
    func identifiedDatesAreFullISODatesInEveryDateColumn() async throws {
        let package = try await Self.export("msc-osteoporosis")
        let read = try Self.readAll(package.folder)
        let dictionary = try #require(read["data_dictionary.csv"]).dropFirst()
        var checked = 0
        for entry in dictionary where entry[5] == "date" || entry[5] == "datetime" {
            let table = try #require(read[entry[0] + ".csv"])
            let index = try #require(table[0].firstIndex(of: entry[3]))
            for row in table.dropFirst() where !row[index].isEmpty {
                let value = row[index]
                let ok = entry[5] == "date" ? CalendarDate(value) != nil : (value.count == 19 && CalendarDate(String(value.prefix(10))) != nil)
                #expect(ok, "\(entry[0]).\(entry[3]) = \(value)")
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}
