import Foundation
import RestoraDomain
import RestoraReports

/// What every domain's mapping of one participant needs: the identifiers, the reference dates (RFSTDTC is the
/// first study treatment: the move to on-treatment), the visit numbers of the protocol's schedule, and date
/// formatting through `ExportParticipant` (so an export's date rule holds in every dataset).
struct SDTMSubject {
    let participant: ExportParticipant
    let studyID: String
    let usubjid: String
    /// The first study treatment (first dose or injection), the reference of every --DY.
    let referenceStart: CalendarDate?
    /// The end of study treatment: the move to follow-up, else the recorded discontinuation.
    let referenceEnd: CalendarDate?
    private let schedule: SDTMSchedule
    /// The observations in the order the findings domains write them (`findingsInOrder`), sorted once.
    let findings: [Observation]
    /// VISITNUM and VISIT of each recorded visit with a planned visit of the schedule, found once.
    private let visits: [Identifier<Visit>: (number: ExportValue, name: ExportValue)]

    init(_ participant: ExportParticipant, studyID: String, schedule: SDTMSchedule) {
        self.participant = participant
        self.studyID = studyID
        self.usubjid = "\(studyID)-\(participant.subjectID)"
        self.schedule = schedule
        findings = Self.findingsInOrder(participant.data.record.observations)
        var visits: [Identifier<Visit>: (number: ExportValue, name: ExportValue)] = [:]
        var seen = Set<Identifier<Visit>>()
        for visit in participant.data.visits where seen.insert(visit.id).inserted {  // the first of an id, as before
            if let planned = schedule.visit(key: visit.visitKey) {
                visits[visit.id] = (.number(Double(planned.number)), .text(planned.title))
            }
        }
        self.visits = visits
        let transitions = participant.data.enrolment.transitions
        referenceStart = transitions.first { $0.to == .onTreatment }.map { CalendarDate($0.at) }
        let endOfTreatment = transitions.first { $0.from == .onTreatment }.map { CalendarDate($0.at) }
        referenceEnd = endOfTreatment ?? participant.data.enrolment.treatmentDiscontinuation?.on
            ?? (referenceStart != nil && Self.isTerminal(participant.data.enrolment.status) ? transitions.last.map { CalendarDate($0.at) } : nil)
    }

    private static func isTerminal(_ status: EnrolmentStatus) -> Bool {
        status == .completed || status == .withdrawn || status == .lostToFollowUp
    }

    var data: ProgramParticipantData { participant.data }

    /// STUDYID, DOMAIN, USUBJID and the --SEQ of a new row.
    func row(_ domain: String, seq: Int) -> SDTMRow {
        var row = SDTMRow(dataset: domain)
        row["STUDYID"] = .text(studyID)
        row["DOMAIN"] = .text(domain)
        row["USUBJID"] = .text(usubjid)
        row[row.layout.seqName] = .integer(seq)
        return row
    }

    func date(_ date: CalendarDate?) -> ExportValue { .text(participant.dateText(date)) }
    func dateTime(_ instant: Date?) -> ExportValue { .text(participant.dateTimeText(instant)) }
    func day(_ date: CalendarDate?) -> ExportValue { .integer(participant.studyDay(date, reference: referenceStart)) }

    /// EPOCH of a date: before the first treatment SCREENING, up to the end of treatment TREATMENT, after it
    /// FOLLOW-UP; missing when dates are reduced to the year (the epoch would give the day away).
    func epoch(_ date: CalendarDate?) -> ExportValue {
        guard participant.datePrecision == .day, let date else { return .missing }
        guard let start = referenceStart, date >= start else { return .text("SCREENING") }
        if let end = referenceEnd, date > end { return .text("FOLLOW-UP") }
        return .text("TREATMENT")
    }

    /// VISITNUM and VISIT of a recorded visit, from the protocol's schedule.
    func visit(_ id: Identifier<Visit>?) -> (number: ExportValue, name: ExportValue) {
        guard let id, let found = visits[id] else { return (.missing, .missing) }
        return found
    }
}

/// The protocol's schedule of visits numbered in order of planned day (VISITNUM 1, 2, …), shared by TV and
/// every dataset that writes VISITNUM.
struct SDTMSchedule {
    struct PlannedVisit {
        let number: Int
        let definition: VisitDefinition
        var title: String { definition.title }
    }

    let visits: [PlannedVisit]
    private let byKey: [String: PlannedVisit]

    init(_ definition: ProtocolDefinition) {
        let ordered = definition.schedule.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }
        visits = ordered.enumerated().map { PlannedVisit(number: $0.offset + 1, definition: $0.element.element) }
        byKey = Dictionary(visits.map { ($0.definition.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func visit(key: String) -> PlannedVisit? { byKey[key] }

    /// The SDTM study day of a protocol day: protocol day 0 is the first dose, SDTM day 1 (there is no day 0).
    static func studyDay(protocolDay day: Int) -> Int { day >= 0 ? day + 1 : day }
}
