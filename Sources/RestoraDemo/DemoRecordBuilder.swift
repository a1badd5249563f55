import Foundation
import RestoraDomain

/// Collects one participant's record as a clinic would enter it: observations on visit dates, adverse
/// events checked by the domain's own validation (REFERENCE.md E1 grades), procedures and courses.
/// Identifiers are derived from the participant's id and a counter, so they are stable for a seed.
struct DemoRecordBuilder {
    let participantID: Identifier<Participant>
    let enrolmentID: Identifier<Enrolment>
    private(set) var observations: [Observation] = []
    private(set) var adverseEvents: [AdverseEvent] = []
    private(set) var procedures: [Procedure] = []
    private(set) var courses: [MedicationCourse] = []
    var medications: [ConcomitantMedication] = []
    private var counter = 0

    init(participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>) {
        self.participantID = participantID
        self.enrolmentID = enrolmentID
    }

    mutating func nextID(_ kind: String) -> String {
        counter += 1
        return "\(participantID.rawValue)-\(kind)-\(counter)"
    }

    /// Clinic hours: observations are stamped 09:00 UTC on their date (the demo has no time zones to model).
    static func instant(_ date: CalendarDate, hour: Double = 9) -> Date {
        date.startOfDayUTC.addingTimeInterval(hour * 3600)
    }

    @discardableResult
    mutating func observe(
        _ code: Coding, _ value: ObservationValue, on date: CalendarDate, visit: Visit? = nil, panel: String? = nil,
        specimen: SpecimenDetails? = nil, bodySite: String? = nil, note: String? = nil
    ) -> Observation {
        let observation = Observation(
            id: Identifier(nextID("obs")), participantID: participantID, enrolmentID: enrolmentID, visitID: visit?.id,
            panelID: panel, code: code, value: value, effective: Self.instant(date), specimen: specimen,
            bodySite: bodySite, note: note ?? DemoLabel.text)
        observations.append(observation)
        return observation
    }

    /// `uln`: the upper limit of normal a laboratory prints with the value, in its unit.
    mutating func quantity(_ code: Coding, _ value: Double, _ unit: String, on date: CalendarDate, visit: Visit? = nil,
                           panel: String? = nil, bodySite: String? = nil, uln: Double? = nil) {
        var observation = observe(code, .quantity(Quantity(value, unit)), on: date, visit: visit, panel: panel, bodySite: bodySite)
        guard let uln else { return }
        observation.upperLimitOfNormal = uln
        observations[observations.count - 1] = observation
    }

    /// An adverse event is accepted only if the model and the CTCAE grading rules accept it.
    mutating func adverseEvent(
        term: String, grade: Int, onset: CalendarDate, resolution: CalendarDate?, relatedness: AdverseEvent.Relatedness,
        expected: Bool, outcome: AdverseEvent.Outcome, seriousness: [AdverseEvent.Seriousness] = [],
        action: AdverseEvent.ActionTaken = .none
    ) throws {
        let event = AdverseEvent(
            id: Identifier(nextID("ae")), participantID: participantID, enrolmentID: enrolmentID, term: term,
            grade: grade, seriousness: seriousness, expected: expected, relatedness: relatedness, onset: onset,
            resolution: resolution, outcome: outcome, actionTaken: action,
            sponsorAwareOn: seriousness.isEmpty ? nil : onset, note: DemoLabel.text)
        let checked = try event.validated()
        try CTCAEClinicianCriteria.validate(checked)
        adverseEvents.append(checked)
    }

    mutating func procedure(_ procedure: Procedure) { procedures.append(procedure) }
    mutating func course(_ course: MedicationCourse) { courses.append(course) }

    func record(_ participant: Participant) -> ParticipantRecord {
        ParticipantRecord(
            participant: participant, observations: observations, medications: medications,
            medicationCourses: courses, procedures: procedures, adverseEvents: adverseEvents,
            reviewedSections: Set(ParticipantRecord.Section.allCases))
    }
}

/// Why the generator refused to build a clinic: a generated value the domain rules did not accept.
public struct DemoGenerationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { "demo clinic: \(message)" }
}
