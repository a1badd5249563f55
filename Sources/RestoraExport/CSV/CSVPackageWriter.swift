import Foundation
import RestoraDomain
import RestoraReports

/// The CSV package of a program (docs/csv-export.md): one long table per record kind (`participants`,
/// `observations`, `adverse_events`, `medications`, `procedures`, `visits`, `enrolment_history`), the wide
/// per-visit table `<program id>_visits_wide.csv`, and `data_dictionary.csv` describing every column of every
/// table, written from the same specs when the package is finished. Rows are written as each chunk arrives.
public struct CSVPackageWriter: ExportPackageWriter {
    public static let dictionaryName = "data_dictionary"

    private let context: ExportContext
    private let directory: URL
    private let tables: [RecordTable]
    private let wide: VisitsWideTable
    private var writers: [CSVDatasetWriter]
    private var finished: [ExportedFile]?
    /// How many runs of a chunk are formatted at once (the machine's cores; 1 writes one participant after another).
    private let cores: Int

    public init(context: ExportContext, directory: URL, cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.context = context
        self.directory = directory
        self.cores = cores
        tables = ProgramTables(context: context).all
        wide = VisitsWideTable(context: context)
        writers = try (tables.map(\.spec) + [wide.spec]).map { try CSVDatasetWriter(spec: $0, directory: directory) }
    }

    /// The specs of every data table the package writes, in file order (the dictionary's subject).
    public var datasets: [DatasetSpec] { writers.map(\.spec) }

    /// Formats the chunk's rows on the machine's cores: the participants are cut into consecutive runs, each run
    /// formats every table into memory (`CSVRowBuffer`) at once with the others, and the buffers are appended to
    /// the files run by run, so each file holds its rows in the same order as a one-by-one write would (issue #18:
    /// reading the next chunk, and formatting this one, no longer wait on one core).
    public mutating func write(_ participants: [ExportParticipant]) throws {
        guard finished == nil else { throw ExportError("CSV package: participants were written after it was completed") }
        guard !participants.isEmpty else { return }
        let runs = Self.runs(participants.count, cores: cores)
        let formatter = ChunkFormatter(tables: tables, wide: wide, writers: writers)
        // One slot per run, each written only by its own iteration. concurrentPerform blocks the calling thread
        // (a cooperative one, when called from the export's task) until every run is formatted: the chunk is
        // pure CPU work with no suspension point, and the reader's next chunks run on SQLiteNIO's own threads.
        var formatted = [FormattedRun?](repeating: nil, count: runs.count)
        formatted.withUnsafeMutableBufferPointer { formatted in
            nonisolated(unsafe) let formatted = formatted
            DispatchQueue.concurrentPerform(iterations: runs.count) { index in
                formatted[index] = formatter.format(participants[runs[index]])
            }
        }
        for run in formatted {
            let run = run!  // every iteration has filled its slot when concurrentPerform returns
            for index in writers.indices { try writers[index].append(run.buffers[index]) }  // a refused row throws here
            if let failure = run.failure { throw failure }
        }
    }

    /// One run's rows, one buffer per file, and the error that stopped it (a row that is not a refused value).
    private struct FormattedRun {
        var buffers: [CSVRowBuffer]
        var failure: (any Error)?
    }

    /// Consecutive runs of a chunk's participants, one per core (at most 4), each of at least one participant.
    static func runs(_ count: Int, cores: Int) -> [Range<Int>] {
        let parts = max(1, min(count, min(cores, 4)))
        return (0..<parts).map { part in (count * part / parts)..<(count * (part + 1) / parts) }
    }

    /// The tables' row builders, called from several threads at once: they are pure functions of the
    /// participant and its records (the program's context is captured read-only; nothing is cached or shared).
    private struct ChunkFormatter: @unchecked Sendable {
        let tables: [RecordTable]
        let wide: VisitsWideTable
        let writers: [CSVDatasetWriter]

        /// Every table's rows of `participants` in one buffer per file (the wide table last); a row that cannot be
        /// written stops the run, recorded in its buffer (`CSVRowBuffer.Refused`) or returned as the error.
        func format(_ participants: ArraySlice<ExportParticipant>) -> FormattedRun {
            let buffers = writers.map { $0.rowBuffer() }
            do {
                for participant in participants {
                    for index in tables.indices {
                        let buffer = buffers[index]
                        try tables[index].forEachRow(participant) { try buffer.append($0) }
                    }
                    let buffer = buffers[tables.count]
                    try wide.forEachRow(participant) { try buffer.append($0) }
                }
                return FormattedRun(buffers: buffers)
            } catch is CSVRowBuffer.Refused {
                return FormattedRun(buffers: buffers)
            } catch {
                return FormattedRun(buffers: buffers, failure: error)
            }
        }
    }

    public mutating func finish() throws -> [ExportedFile] {
        if let finished { return finished }
        var files: [ExportedFile] = []
        for index in writers.indices { files += try writers[index].finish() }
        files += try Self.writeDictionary(datasets + [SignaturesCSV.spec], context: context, directory: directory)  // + ExportRun's signatures.csv
        finished = files
        return files
    }

    /// The data dictionary's own columns.
    static let dictionarySpec = DatasetSpec(
        name: dictionaryName, label: "Data dictionary: every column of every table", structure: "One record per table column",
        keys: ["table", "order"],
        variables: [
            VariableSpec(name: "table", label: "Table (file name without .csv)", dataType: .text),
            VariableSpec(name: "table_label", label: "What the table holds", dataType: .text),
            VariableSpec(name: "order", label: "Position of the column in the table (1 = first)", dataType: .integer),
            VariableSpec(name: "variable", label: "Column name (header of the column)", dataType: .text),
            VariableSpec(name: "label", label: "What the column holds", dataType: .text),
            VariableSpec(name: "type", label: "Type: string, integer, float, date (ISO 8601 or the year alone), datetime", dataType: .text),
            VariableSpec(name: "unit", label: "Unit of every value of the column, when fixed", dataType: .text),
            VariableSpec(name: "codelist", label: "Name of the codelist of a coded column", dataType: .text),
            VariableSpec(name: "codes", label: "Allowed codes and their meaning as code=meaning, separated by \" | \"", dataType: .text),
            VariableSpec(name: "origin", label: "Collected, Derived or Protocol", dataType: .text),
            VariableSpec(name: "derivation", label: "How a derived value is computed", dataType: .text),
        ])

    static func writeDictionary(_ datasets: [DatasetSpec], context: ExportContext, directory: URL) throws -> [ExportedFile] {
        var writer = try CSVDatasetWriter(spec: dictionarySpec, directory: directory)
        let marks = [context.synthetic ? "SYNTHETIC DEMO DATA" : nil, context.deidentified ? "de-identified" : nil].compactMap { $0 }
        let suffix = marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))"
        for dataset in datasets {
            for (index, variable) in dataset.variables.enumerated() {
                try writer.append([
                    .text(dataset.name), .text(dataset.label + suffix), .integer(index + 1), .text(variable.name),
                    .text(variable.label), .text(variable.dataType.rawValue), .text(variable.unit), .text(variable.codelist),
                    variable.codes.isEmpty ? .missing : .text(variable.codes.map { "\($0.value)=\($0.meaning)" }.joined(separator: " | ")),
                    .text(variable.origin), .text(variable.derivation),
                ])
            }
        }
        return try writer.finish()
    }
}
