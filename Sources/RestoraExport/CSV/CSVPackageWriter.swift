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

    public init(context: ExportContext, directory: URL) throws {
        self.context = context
        self.directory = directory
        tables = ProgramTables(context: context).all
        wide = VisitsWideTable(context: context)
        writers = try (tables.map(\.spec) + [wide.spec]).map { try CSVDatasetWriter(spec: $0, directory: directory) }
    }

    /// The specs of every data table the package writes, in file order (the dictionary's subject).
    public var datasets: [DatasetSpec] { writers.map(\.spec) }

    public mutating func write(_ participants: [ExportParticipant]) throws {
        guard finished == nil else { throw ExportError("CSV package: participants were written after it was completed") }
        for participant in participants {
            for index in tables.indices {
                let table = tables[index]
                try table.forEachRow(participant) { try writers[index].append($0) }
            }
            try wide.forEachRow(participant) { try writers[tables.count].append($0) }
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
