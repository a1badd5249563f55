import Foundation
import RestoraDomain

/// Writes an SDTM package (SDTMIG 3.4): for every dataset a SAS XPORT v5 file `<domain>.xpt` and a
/// Dataset-JSON 1.1 file `<domain>.json` beside it, and `define.xml` describing every dataset written. Rows are
/// appended as each chunk of participants arrives (nothing but the chunk and the writers' spools is held); a
/// dataset's files are opened at its first row, so a package holds only datasets with data (DM and the trial
/// design datasets always). The trial design datasets are written from the protocol definition.
public struct SDTMPackageWriter: ExportPackageWriter {
    /// Opens the writers of one dataset (XPT and Dataset-JSON in a real package; tests may collect rows).
    public typealias WriterFactory = (DatasetSpec, URL, ExportContext) throws -> [any DatasetWriter]
    /// Writes define.xml for the datasets written, given the character lengths the XPT writers used (by
    /// dataset, then variable).
    public typealias DefineWriter = ([DatasetSpec], [String: [String: Int]], ExportContext, URL) throws -> ExportedFile

    public let context: ExportContext
    public let directory: URL
    private let makeWriters: WriterFactory
    private let writeDefine: DefineWriter?
    private var open: [String: [any DatasetWriter]] = [:]
    private var finished = false

    public init(context: ExportContext, directory: URL) throws {
        try self.init(context: context, directory: directory, makeWriters: Self.standardWriters, writeDefine: Self.standardDefine)
    }

    public init(context: ExportContext, directory: URL, makeWriters: @escaping WriterFactory,
                writeDefine: DefineWriter?) throws {
        self.context = context
        self.directory = directory
        self.makeWriters = makeWriters
        self.writeDefine = writeDefine
        try append(SDTMMapping.trialDesignRows(context: context))
        try openWriters(DMDataset.spec.name)
    }

    /// The package's files of one dataset: SAS XPORT v5 and Dataset-JSON 1.1.
    public static func standardWriters(_ spec: DatasetSpec, _ directory: URL, _ context: ExportContext) throws -> [any DatasetWriter] {
        [try XPTDatasetWriter(spec: spec, directory: directory, createdAt: context.createdAt),
         try DatasetJSONWriter(spec: spec, directory: directory, context: context)]
    }

    /// define.xml 2.1 describing every dataset written, with the XPT character lengths.
    public static var standardDefine: DefineWriter? {
        { specs, lengths, context, directory in
            try DefineXMLWriter.write(datasets: specs, context: context, directory: directory, lengths: lengths)
        }
    }

    public mutating func write(_ participants: [ExportParticipant]) throws {
        guard !finished else { throw ExportError("SDTM package: write after finish") }
        try append(SDTMMapping.rows(participants, context: context))
    }

    public mutating func finish() throws -> [ExportedFile] {
        guard !finished else { throw ExportError("SDTM package: finished twice") }
        finished = true
        var files: [ExportedFile] = []
        var lengths: [String: [String: Int]] = [:]
        let written = SDTMMapping.allDatasets.filter { open[$0.name] != nil }
        for spec in written {
            guard var writers = open[spec.name] else { continue }
            for index in writers.indices {
                files += try writers[index].finish()
                if let xpt = writers[index] as? XPTDatasetWriter { lengths[spec.name] = xpt.lengths }
            }
            open[spec.name] = nil
        }
        if let writeDefine { files.append(try writeDefine(written, lengths, context, directory)) }
        return files
    }

    private mutating func openWriters(_ name: String) throws {
        guard open[name] == nil else { return }
        guard let spec = SDTMMapping.spec(named: name) else { throw ExportError("SDTM: no dataset spec named \(name)") }
        open[name] = try makeWriters(spec, directory, context)
    }

    private mutating func append(_ rows: [String: [[ExportValue]]]) throws {
        for spec in SDTMMapping.allDatasets {
            guard let dataset = rows[spec.name], !dataset.isEmpty else { continue }
            try openWriters(spec.name)
            guard var writers = open[spec.name] else { continue }
            open[spec.name] = nil
            defer { open[spec.name] = writers }
            for row in dataset {
                for index in writers.indices { try writers[index].append(row) }
            }
        }
    }
}
