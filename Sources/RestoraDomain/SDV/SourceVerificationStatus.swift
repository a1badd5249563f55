import Foundation

/// Where a record (or one field of it) stands in source data verification, worked out when reading: a mark
/// made at the record's current version verifies it; a mark made at an earlier version means the record was
/// changed after it was verified, which resets verification (docs/sdv.md, REFERENCE.md H2).
public enum SDVState: String, Hashable, Sendable, Codable {
    case notVerified = "not-verified"
    case verified
    case changedSinceVerified = "changed-since-verified"

    /// What `marks` (of one record, or one field of it) say about a record now at `version`.
    static func of(_ marks: [SourceVerificationMark], version: Int) -> SDVState {
        if marks.isEmpty { return .notVerified }
        return marks.contains { $0.recordVersion == version } ? .verified : .changedSinceVerified
    }
}

/// One record's verification: the record as a whole and each field verified on its own.
public struct RecordVerification: Hashable, Sendable {
    public struct FieldState: Hashable, Sendable {
        public var field: String
        public var state: SDVState
        public var latest: SourceVerificationMark
    }

    public var record: SourceRecord
    public var state: SDVState
    /// The newest whole-record mark, if any (who verified it, when, at which version).
    public var latest: SourceVerificationMark?
    public var fields: [FieldState]
}

/// A participant's SDV: every source-verifiable record with its state, the visits' states, and the progress.
public struct ParticipantSDV: Hashable, Sendable {
    public var records: [RecordVerification]
    public var progress: SDVProgress

    public init(records: [SourceRecord], marks: [SourceVerificationMark]) {
        let byRecord = Dictionary(grouping: marks) { "\($0.recordKind)/\($0.recordID)" }
        self.records = records.map { record in
            let own = (byRecord["\(record.kind)/\(record.id)"] ?? []).sorted { $0.verifiedAt < $1.verifiedAt }
            let whole = own.filter { $0.field == nil }
            let fields = Dictionary(grouping: own.filter { $0.field != nil }) { $0.field ?? "" }
                .map { name, marks in
                    RecordVerification.FieldState(field: name, state: SDVState.of(marks, version: record.version), latest: marks[marks.count - 1])
                }
                .sorted { $0.field < $1.field }
            return RecordVerification(record: record, state: SDVState.of(whole, version: record.version), latest: whole.last, fields: fields)
        }
        progress = SDVProgress(total: self.records.count, verified: self.records.filter { $0.state == .verified }.count,
                               changed: self.records.filter { $0.state == .changedSinceVerified }.count)
    }

    /// A visit's state: verified when the visit and every record entered at it are; changed when any of them
    /// was changed since it was verified; otherwise not (yet) verified.
    public func visitState(_ visit: Identifier<Visit>) -> SDVState {
        let members = records.filter { $0.record.visitID == visit }
        guard !members.isEmpty else { return .notVerified }
        if members.contains(where: { $0.state == .changedSinceVerified }) { return .changedSinceVerified }
        return members.allSatisfy { $0.state == .verified } ? .verified : .notVerified
    }

    public func verification(kind: String, id: String) -> RecordVerification? {
        records.first { $0.record.kind == kind && $0.record.id == id }
    }
}
