import Foundation
import RestoraDomain

/// Loads FHIR NDJSON (one Patient or Observation per line) through the same handlers — and so the same domain
/// services — as `POST /fhir/Patient` and `POST /fhir/Observation` (participant checks; `ClinicalEntry.record`
/// with its clinical and safety rules, alerts and audit). docs/fhir.md "Bulk Data".
///
/// Lines are loaded `batchSize` to a transaction; a run of Observation lines is one `ClinicalEntry.recordBatch`
/// (the same checks, rules, alerts and audit per observation, with the batch's reads and writes shared). A
/// refused line never stops the others: an Observation its checks refuse is reported and the rest of the batch
/// loads; any other refusal rolls the batch back, and the lines before it are loaded again together, the
/// refused line alone (refused again → reported with its line number, FHIRPath and reason) and the rest after it.
/// A Patient line's own `id` is remembered: an Observation of the same file whose `subject` names it gets the id
/// the server gave that patient.
public struct FHIRBulkImport: Sendable {
    /// One refused line: its number (from 1), the FHIRPath at fault (or empty) and why, in words.
    public struct Refusal: Sendable, Hashable, Codable {
        public var line: Int
        public var path: String
        public var reason: String
    }

    public struct Progress: Sendable {
        public var linesRead: Int
        public var loaded: [String: Int]
        public var refused: Int
    }

    public struct Summary: Sendable {
        public var lines: Int
        public var loaded: [String: Int]
        public var refusals: [Refusal]
        public var seconds: Double
    }

    /// The types an import loads.
    public static let types = ["Patient", "Observation"]

    /// Lines per transaction unless told otherwise. 1,000 rather than 200: the per-batch reads and the commit are
    /// shared by five times as many lines (2,450 → 2,970 observations/s at 10⁴ participants, BENCHMARKS.md), while
    /// a batch still holds the database's one writer for only about a third of a second.
    public static let defaultBatchSize = 1000

    let dependencies: WebDependencies
    let user: UserAccount
    let audit: AuditContext
    public var batchSize: Int

    public init(dependencies: WebDependencies, user: UserAccount, audit: AuditContext, batchSize: Int = defaultBatchSize) {
        self.dependencies = dependencies
        self.user = user
        self.audit = audit
        self.batchSize = max(1, batchSize)
    }

    /// One parsed line waiting for its batch.
    struct Line: Sendable {
        var number: Int
        var type: String
        var resource: FHIRJSON
        var originalID: String?
    }

    /// A line refused inside a batch (the batch rolls back).
    struct LineFailure: Error {
        var number: Int
        var error: any Error
    }

    /// Ids the server gave the patients of this file, by the id their line carried.
    final class PatientIDs: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String: String] = [:]
        func set(_ old: String, _ new: String) { lock.withLock { ids[old] = new } }
        func get(_ old: String) -> String? { lock.withLock { ids[old] } }
    }

    /// Loads the NDJSON file at `path`; `progress` is called about every `progressEvery` lines.
    public func load(path: String, progressEvery: Int = 5000, progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Summary {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FHIRError(status: 404, code: .notFound, diagnostics: "no file \(path)")
        }
        defer { try? handle.close() }
        let started = Date()
        let handlers = Dictionary(FHIRRegistry.handlers().filter { Self.types.contains($0.resourceType) }.map { ($0.resourceType, $0) },
                                  uniquingKeysWith: { first, _ in first })
        let ids = PatientIDs()
        var refusals: [Refusal] = []
        var loaded: [String: Int] = [:]
        var pending: [Line] = []
        var number = 0
        var lastReport = 0
        var carry: [UInt8] = []

        func flush() async {
            guard !pending.isEmpty else { return }
            let result = await loadBatch(pending[...], handlers: handlers, ids: ids)
            for line in result.loaded { loaded[line, default: 0] += 1 }
            refusals += result.refusals
            pending.removeAll(keepingCapacity: true)
        }

        func take(_ bytes: ArraySlice<UInt8>) async {
            number += 1
            var slice = bytes
            if slice.last == 0x0D { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }  // a blank line is no resource
            do {
                let resource = try FHIRJSON.parse(slice)
                guard resource.objectValue != nil else { throw FHIRError(status: 400, code: .structure, diagnostics: "the line is not a JSON object") }
                guard let type = resource["resourceType"]?.stringValue else {
                    throw FHIRError(status: 400, code: .required, diagnostics: "the line has no resourceType", expression: ["resourceType"])
                }
                guard handlers[type] != nil else {
                    throw FHIRError(status: 400, code: .notSupported,
                                    diagnostics: "\(type) is not imported; an import loads " + Self.types.joined(separator: " and "), expression: ["resourceType"])
                }
                pending.append(Line(number: number, type: type, resource: resource, originalID: resource["id"]?.stringValue))
            } catch {
                refusals.append(Self.refusal(number, error))
            }
            if pending.count >= batchSize { await flush() }
            if number - lastReport >= progressEvery {
                lastReport = number
                progress(Progress(linesRead: number, loaded: loaded, refused: refusals.count))
            }
        }

        while true {
            let data = try handle.read(upToCount: 1 << 20) ?? Data()
            if data.isEmpty { break }
            carry.append(contentsOf: data)
            var start = carry.startIndex
            while let newline = carry[start...].firstIndex(of: 0x0A) {
                await take(carry[start..<newline])
                start = newline + 1
            }
            carry.removeSubrange(..<start)
        }
        if !carry.isEmpty { await take(carry[...]) }
        await flush()
        progress(Progress(linesRead: number, loaded: loaded, refused: refusals.count))
        return Summary(lines: number, loaded: loaded, refusals: refusals.sorted { $0.line < $1.line },
                       seconds: Date().timeIntervalSince(started))
    }

    /// Loads `lines` in one transaction; on a refusal, splits as the type's comment says. A run of Observation
    /// lines goes to `FHIRObservationHandler.createAll` as one batch (checked line by line before anything is
    /// written: a line its checks refuse is reported and the others load without a rollback).
    func loadBatch(_ lines: ArraySlice<Line>, handlers: [String: any FHIRResourceHandler], ids: PatientIDs) async
        -> (loaded: [String], refusals: [Refusal])
    {
        guard !lines.isEmpty else { return ([], []) }
        let context = FHIRInteractionContext(
            user: user, audit: audit, dependencies: dependencies, repositories: dependencies.repositories,
            now: dependencies.clock.now(), baseURL: "")
        let batch = Array(lines)
        do {
            return try await dependencies.repositories.transaction { tx in
                let bound = context.bound(to: tx)
                var loaded: [String] = []
                var refusals: [Refusal] = []
                var index = 0
                while index < batch.count {
                    let line = batch[index]
                    if line.type == "Observation" {
                        let run = batch[index...].prefix { $0.type == "Observation" }
                        let results: [Result<String, any Error>]
                        do {
                            results = try await FHIRObservationHandler.createAll(run.map { Self.rewritten($0, ids: ids) }, in: bound)
                        } catch let failure as BatchItemError {
                            throw LineFailure(number: run[run.startIndex + failure.index].number, error: failure.error)
                        }
                        for (line, result) in zip(run, results) {
                            switch result {
                            case .success: loaded.append(line.type)
                            case let .failure(error): refusals.append(Self.refusal(line.number, error))
                            }
                        }
                        index += run.count
                        continue
                    }
                    do {
                        let stored = try await handlers[line.type]!.create(Self.rewritten(line, ids: ids), in: bound)
                        // Known at once, for the batch's later lines (a rolled-back batch sets it again when reloaded).
                        if line.type == "Patient", let old = line.originalID { ids.set(old, stored.id) }
                        loaded.append(line.type)
                    } catch {
                        throw LineFailure(number: line.number, error: error)
                    }
                    index += 1
                }
                return (loaded, refusals)
            }
        } catch let failure as LineFailure {
            if lines.count == 1 { return ([], [Self.refusal(failure.number, failure.error)]) }
            guard let at = lines.firstIndex(where: { $0.number == failure.number }) else { return ([], [Self.refusal(failure.number, failure.error)]) }
            let before = await loadBatch(lines[lines.startIndex..<at], handlers: handlers, ids: ids)
            let alone = await loadBatch(lines[at...at], handlers: handlers, ids: ids)
            let after = await loadBatch(lines[(at + 1)...], handlers: handlers, ids: ids)
            return (before.loaded + alone.loaded + after.loaded, before.refusals + alone.refusals + after.refusals)
        } catch {
            // The transaction failed on no one line (e.g. a constraint of a multi-row INSERT): each line alone
            // names its own refusal; a batch of one line is refused with the reason.
            if lines.count == 1 { return ([], [Self.refusal(lines[lines.startIndex].number, error)]) }
            var result: (loaded: [String], refusals: [Refusal]) = ([], [])
            for index in lines.indices {
                let one = await loadBatch(lines[index...index], handlers: handlers, ids: ids)
                result.loaded += one.loaded
                result.refusals += one.refusals
            }
            return result
        }
    }

    /// An Observation whose subject names a patient of this file gets the patient's new id.
    static func rewritten(_ line: Line, ids: PatientIDs) -> FHIRJSON {
        guard line.type == "Observation", let subject = line.resource["subject"], let reference = subject["reference"]?.stringValue,
              reference.hasPrefix("Patient/"), let new = ids.get(String(reference.dropFirst(8)))
        else { return line.resource }
        return line.resource.setting("subject", subject.setting("reference", .string("Patient/" + new)))
    }

    static func refusal(_ line: Int, _ error: any Error) -> Refusal {
        let fhir = FHIRErrorMapping.fhirError(error)
        return Refusal(line: line, path: fhir.expression.joined(separator: ", "), reason: fhir.diagnostics)
    }
}
