import Foundation

/// The bulk of a program's rows, its observations, read for one chunk of its enrolments at a time and only
/// those a reader needs (the study report reads a handful of codes out of dozens), so the reader holds one
/// chunk of rows at a time plus what it keeps.
public protocol ProgramRecordSource: Sendable {
    /// The observations of `participants` recorded against one of `enrolments` or against no enrolment that
    /// `selection` selects, grouped by participant (in id order) and each participant's in storage order
    /// (created, then id): what a reader grouping them by participant needs, in the order an index gives
    /// without a sort. At most a few hundred ids per call.
    func observations(participants: [Identifier<Participant>], enrolments: [Identifier<Enrolment>],
                      selection: ObservationSelection) async throws -> [Observation]

    /// The program's enrolments in storage order (created, then id), as keys only — id, participant and site —
    /// so a reader can take the whole enrolments (with their transitions) one chunk at a time. nil when the
    /// source cannot list them that way (the reader then lists the whole enrolments up front).
    func enrolmentKeys(program: Identifier<Program>) async throws -> [EnrolmentKey]?
}

extension ProgramRecordSource {
    public func enrolmentKeys(program: Identifier<Program>) async throws -> [EnrolmentKey]? { nil }
}

/// Which enrolment, of whom, where: what a reader needs to choose and order a program's enrolments.
public struct EnrolmentKey: Hashable, Sendable {
    public var id: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var siteID: Identifier<Site>

    public init(id: Identifier<Enrolment>, participantID: Identifier<Participant>, siteID: Identifier<Site>) {
        self.id = id
        self.participantID = participantID
        self.siteID = siteID
    }
}

/// Which observations a reader needs: every one, or those with one of `codes` (the code alone, whatever its
/// system: a superset the reader narrows by concept) or a specimen of one of `specimenTypes`.
public struct ObservationSelection: Sendable, Hashable {
    /// nil: every observation.
    public var codes: Set<String>?
    public var specimenTypes: Set<String>

    public static let all = ObservationSelection(codes: nil, specimenTypes: [])

    public init(codes: Set<String>?, specimenTypes: Set<String> = []) {
        self.codes = codes
        self.specimenTypes = specimenTypes
    }

    public func matches(_ observation: Observation) -> Bool {
        guard let codes else { return true }
        if codes.contains(observation.code.code) { return true }
        return observation.specimen.map { specimenTypes.contains($0.type) } ?? false
    }
}
