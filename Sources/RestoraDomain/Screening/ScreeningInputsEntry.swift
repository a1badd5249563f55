import Foundation

/// Recording what screening reads besides observations (issue #14 item 1): concomitant medications, the
/// sections a clinician reviewed in full, menopausal status, and a diagnosis or history item added after
/// registration. One service for every door — the JSON API, the participant page's screening-inputs forms and
/// the demo seeder — so a check made here cannot be skipped by another entry point. Each method is one
/// transaction; a refused input (`DomainError.invalidValue`, 422 naming the field) writes nothing.
public struct ScreeningInputsEntry: Sendable {
    public let repositories: Repositories
    public let ids: any IDGenerator

    public init(repositories: Repositories, ids: any IDGenerator) {
        self.repositories = repositories
        self.ids = ids
    }

    // MARK: Concomitant medications

    /// Stores one concomitant medication of `participant` after `check`.
    public func recordMedication(
        _ medication: ConcomitantMedication, for participant: Identifier<Participant>, today: CalendarDate,
        context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<ConcomitantMedicationRecord> {
        let checked = try Self.check(medication, today: today)
        let record = ConcomitantMedicationRecord(id: Identifier(ids.next()), participantID: participant, medication: checked)
        return try await repositories.concomitantMedications.create(record, context: context, idempotencyKey: idempotencyKey)
    }

    /// The medication as it will be stored, or the first problem: RxNorm codes are digits (REFERENCE.md F3,
    /// e.g. isotretinoin 6064); the class is the lower-case word the protocol criteria use ("tetracycline",
    /// "anticoagulant"); a start date is not in the future and a stop date is not before the start.
    public static func check(_ medication: ConcomitantMedication, today: CalendarDate) throws -> ConcomitantMedication {
        var m = medication
        guard m.drug.system == .rxnorm else {
            throw DomainError.invalidValue(field: "drug.system", message: "a concomitant medication is coded in RxNorm (system \"rxnorm\")")
        }
        m.drug.code = m.drug.code.trimmingCharacters(in: .whitespaces)
        guard (1...10).contains(m.drug.code.count), m.drug.code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError.invalidValue(field: "drug.code", message: "an RxNorm code is 1 to 10 digits, e.g. 6064 for isotretinoin")
        }
        m.drug.display = Self.trimmed(m.drug.display)
        if let display = m.drug.display, display.count > 200 {
            throw DomainError.invalidValue(field: "drug.display", message: "the drug name is at most 200 characters")
        }
        m.drugClass = Self.trimmed(m.drugClass)?.lowercased()
        if let drugClass = m.drugClass {
            guard drugClass.count <= 40, drugClass.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw DomainError.invalidValue(field: "drugClass", message: "the class is one lower-case word or hyphenated words, e.g. tetracycline, vitamin-a, hrt")
            }
        }
        m.dose = Self.trimmed(m.dose)
        if let dose = m.dose, dose.count > 200 {
            throw DomainError.invalidValue(field: "dose", message: "the dose text is at most 200 characters")
        }
        if let start = m.start, start > today {
            throw DomainError.invalidValue(field: "start", message: "the start date is in the future")
        }
        if let start = m.start, let stop = m.stop, stop < start {
            throw DomainError.invalidValue(field: "stop", message: "the stop date (\(stop)) is before the start date (\(start))")
        }
        return m
    }

    /// Records that a concomitant medication of `participant` was stopped on `stop` (a correction of an earlier
    /// stop date too). The stop may not be before the start (422 `stop`); a medication of another participant
    /// is not found. The audit reason is the context's or "stopped on <date>".
    public func stopMedication(
        _ id: Identifier<ConcomitantMedicationRecord>, of participant: Identifier<Participant>, on stop: CalendarDate,
        expectedVersion: Int?, context: AuditContext
    ) async throws -> Versioned<ConcomitantMedicationRecord> {
        try await repositories.transaction { tx in
            let stored = try await tx.concomitantMedications.get(id)
            guard stored.value.participantID == participant else {
                throw RepositoryError.notFound(kind: "concomitant medication", id: id.rawValue)
            }
            var record = stored.value
            if let start = record.medication.start, stop < start {
                throw DomainError.invalidValue(field: "stop", message: "the stop date (\(stop)) is before the start date (\(start))")
            }
            record.medication.stop = stop
            var audit = context
            if audit.trimmedReason == nil { audit.reason = "stopped on \(stop)" }
            return try await tx.concomitantMedications.update(record, expectedVersion: expectedVersion ?? stored.version, context: audit)
        }
    }

    // MARK: Reviewed sections

    /// Makes `sections` the participant's reviewed sections: a section newly listed gets a review by the
    /// context's user at `at`; a section no longer listed has its review withdrawn (soft-deleted, with the
    /// context's reason or "review withdrawn"). Sections already reviewed keep their first review. One
    /// transaction; returns the current reviews.
    public func setReviewedSections(
        _ sections: Set<ParticipantRecord.Section>, for participant: Identifier<Participant>, at: Date, context: AuditContext
    ) async throws -> [Versioned<SectionReview>] {
        let ids = self.ids
        return try await repositories.transaction { tx in
            _ = try await tx.participants.get(participant)
            let current = try await tx.sectionReviews.list(participant: participant)
            var kept: [Versioned<SectionReview>] = []
            for review in current {
                if sections.contains(review.value.section) {
                    kept.append(review)
                } else {
                    var withdrawal = context
                    if withdrawal.trimmedReason == nil { withdrawal.reason = "review of \(review.value.section.rawValue) withdrawn" }
                    try await tx.sectionReviews.delete(review.value.id, expectedVersion: review.version, context: withdrawal)
                }
            }
            let reviewed = Set(kept.map(\.value.section))
            for section in ParticipantRecord.Section.allCases where sections.contains(section) && !reviewed.contains(section) {
                let review = SectionReview(id: Identifier(ids.next()), participantID: participant, section: section,
                                           reviewedBy: context.actor, reviewedAt: at)
                kept.append(try await tx.sectionReviews.create(review, context: context, idempotencyKey: nil))
            }
            return kept.sorted { $0.value.section.order < $1.value.section.order }
        }
    }

    // MARK: Participant facts screening reads

    /// A change to the participant's own screening facts.
    public enum ParticipantChange: Sendable, Hashable {
        /// Menopausal status (nil: not recorded). The osteoporosis program's population (REFERENCE.md C1).
        case postmenopausal(Bool?)
        /// A diagnosis added after registration (ICD-10-CM, REFERENCE.md F2).
        case diagnosis(Diagnosis)
        /// A history item added after registration (e.g. illicit drug use, REFERENCE.md A2 RA-4).
        case history(HistoryItem)
    }

    /// Applies `changes` to the stored participant in one transaction (all or none). `expectedVersion`
    /// (If-Match) is checked when given; otherwise the changes apply to the current version (re-read inside the
    /// transaction, so adding never loses another user's edit). The audit reason is the context's or a
    /// description of the changes.
    public func amend(
        _ participant: Identifier<Participant>, _ changes: [ParticipantChange], expectedVersion: Int?, today: CalendarDate,
        context: AuditContext
    ) async throws -> Versioned<Participant> {
        let checked = try changes.map { try Self.check($0, today: today) }
        return try await repositories.transaction { tx in
            let stored = try await tx.participants.get(participant)
            var value = stored.value
            var described: [String] = []
            for change in checked {
                switch change {
                case let .postmenopausal(flag):
                    value.postmenopausal = flag
                    described.append("menopausal status recorded: \(flag.map { $0 ? "postmenopausal" : "not postmenopausal" } ?? "not recorded")")
                case let .diagnosis(diagnosis):
                    if value.diagnoses.contains(where: { $0.code.sameConcept(as: diagnosis.code) && $0.onset == diagnosis.onset }) {
                        throw DomainError.invalidValue(field: "code", message: "diagnosis \(diagnosis.code.code) is already recorded")
                    }
                    value.diagnoses.append(diagnosis)
                    described.append("diagnosis \(diagnosis.code.code) added")
                case let .history(item):
                    value.history.append(item)
                    described.append("history item added (\(item.kind.rawValue))")
                }
            }
            var audit = context
            if audit.trimmedReason == nil { audit.reason = described.joined(separator: "; ") }
            return try await tx.participants.update(value, expectedVersion: expectedVersion ?? stored.version, context: audit)
        }
    }

    public static func check(_ change: ParticipantChange, today: CalendarDate) throws -> ParticipantChange {
        switch change {
        case .postmenopausal:
            return change
        case .diagnosis(var diagnosis):
            guard diagnosis.code.system == .icd10cm else {
                throw DomainError.invalidValue(field: "code.system", message: "a diagnosis is coded in ICD-10-CM (system \"icd10-cm\")")
            }
            diagnosis.code.code = diagnosis.code.code.trimmingCharacters(in: .whitespaces).uppercased()
            guard isICD10CM(diagnosis.code.code) else {
                throw DomainError.invalidValue(field: "code", message: "an ICD-10-CM code is a letter, two characters and up to four more after a dot, e.g. N46.01")
            }
            diagnosis.code.display = trimmed(diagnosis.code.display)
            diagnosis.note = trimmed(diagnosis.note)
            if let onset = diagnosis.onset, onset > today {
                throw DomainError.invalidValue(field: "onset", message: "the onset date is in the future")
            }
            return .diagnosis(diagnosis)
        case .history(var item):
            item.description = item.description.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(item.description.count) else {
                throw DomainError.invalidValue(field: "description", message: "a description of 1 to 200 characters is required")
            }
            if let code = item.code, code.code.trimmingCharacters(in: .whitespaces).isEmpty {
                throw DomainError.invalidValue(field: "code.code", message: "a history code cannot be blank")
            }
            if let date = item.date, date > today {
                throw DomainError.invalidValue(field: "date", message: "the date is in the future")
            }
            item.outcome = trimmed(item.outcome)
            return .history(item)
        }
    }

    /// ICD-10-CM shape (REFERENCE.md F2): a letter, a digit, a digit or letter, then optionally a dot and 1–4
    /// digits or letters (N46.01, N46.023, M81.0, E23.0).
    public static func isICD10CM(_ code: String) -> Bool {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        let head = Array(parts[0])
        guard head.count == 3, head[0].isASCII, head[0].isLetter, head[1].isASCII, head[1].isNumber,
              head[2].isASCII, head[2].isLetter || head[2].isNumber else { return false }
        guard parts.count == 2 else { return true }
        return (1...4).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}

extension ParticipantRecord.Section {
    /// Display order: the order of the enum.
    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}
