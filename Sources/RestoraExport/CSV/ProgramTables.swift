import Foundation
import RestoraDomain
import RestoraReports

/// The long tables of a program export, one per record kind (docs/csv-export.md has what each column holds).
/// Every date goes through `ExportParticipant.dateText`/`dateTimeText` and every age through `ageYears`/`ageText`,
/// so a de-identified export that keeps only the year shows only the year; the subject is always
/// `ExportParticipant.subjectID` (never the participant id, MRN, names or birth date).
struct ProgramTables {
    let participants: RecordTable
    let observations: RecordTable
    let adverseEvents: RecordTable
    let medications: RecordTable
    let procedures: RecordTable
    let visits: RecordTable
    let enrolmentHistory: RecordTable

    var all: [RecordTable] { [participants, observations, adverseEvents, medications, procedures, visits, enrolmentHistory] }

    static let subjectLabel = "Subject identifier (random study number when de-identified)"
    static let studyDayDerivation = "Days from the first day of treatment (the move to on-treatment) counted as day 1, "
        + "the day before it -1 (no day 0); empty when either date is unknown or dates are reduced to the year"

    init(context: ExportContext) {
        let deid = context.deidentified
        let definition = context.definition
        let subject = { (name: String) -> [String] in ["subject", name] }

        participants = RecordTable(
            name: "participants", label: "Participants and their enrolment", structure: "One record per subject",
            keys: ["subject"], deidentified: deid,
            columns: Self.participantColumns(definition), items: { [$0.data] })

        observations = RecordTable(
            name: "observations", label: "Observations (laboratory values, measurements, findings)",
            structure: "One record per observation", keys: subject("date"), deidentified: deid,
            columns: Self.observationColumns(), items: ObservationItem.items)

        adverseEvents = RecordTable(
            name: "adverse_events", label: "Adverse events (CTCAE v5.0)", structure: "One record per adverse event",
            keys: subject("onset_date"), deidentified: deid,
            columns: Self.adverseEventColumns(), items: { $0.data.record.adverseEvents })

        medications = RecordTable(
            name: "medications", label: "Medications: protocol courses, their dispensings, concomitant",
            structure: "One record per course, per dispensing of a course, per concomitant medication",
            keys: subject("course"), deidentified: deid,
            columns: Self.medicationColumns(), items: MedicationItem.items)

        procedures = RecordTable(
            name: "procedures", label: "Procedures", structure: "One record per procedure",
            keys: subject("date"), deidentified: deid,
            columns: Self.procedureColumns(), items: { $0.data.record.procedures })

        visits = RecordTable(
            name: "visits", label: "Visits", structure: "One record per visit of the enrolment",
            keys: subject("visit"), deidentified: deid,
            columns: Self.visitColumns(definition), items: { $0.data.visits })

        enrolmentHistory = RecordTable(
            name: "enrolment_history", label: "Enrolment status transitions",
            structure: "One record per status change", keys: subject("sequence"), deidentified: deid,
            columns: Self.transitionColumns(),
            items: { Array($0.data.enrolment.transitions.enumerated()) })
    }

    static func subjectColumn<Item>() -> RecordColumn<Item> {
        RecordColumn("subject", subjectLabel, .text) { p, _ in .text(p.subjectID) }
    }

    // MARK: participants

    static func participantColumns(_ definition: ProtocolDefinition) -> [RecordColumn<ProgramParticipantData>] {
        typealias C = RecordColumn<ProgramParticipantData>
        func firstMove(_ data: ProgramParticipantData, to status: EnrolmentStatus) -> Date? {
            data.enrolment.transitions.first { $0.to == status }?.at
        }
        return [
            subjectColumn(),
            C("site", "Site identifier", .text) { _, d in .text(d.enrolment.siteID.rawValue) },
            C("sex", "Sex", .text, codelist: "sex", codes: enumerationCodes(Sex.self)) { _, d in .text(d.record.participant.sex.rawValue) },
            C("age", "Age in whole years at the first enrolment step (empty when 90 or older in a de-identified export)",
              .integer, unit: "years", derivation: "Completed years from birth to the date of the enrolment's first status change") { p, _ in
                .integer(p.ageYears) },
            C("age_text", "Age as text when it cannot be a number (\"90 or older\")", .text) { p, _ in .text(p.ageText) },
            C("postmenopausal", "Postmenopausal (women)", .text, codelist: "ny", codes: yesNoCodes) { _, d in
                yesNo(d.record.participant.postmenopausal) },
            C("status", "Enrolment status", .text, codelist: "enrolment_status", codes: enumerationCodes(EnrolmentStatus.self)) { _, d in
                .text(d.enrolment.status.rawValue) },
            C("arm", "Arm", .text, codelist: "arm", codes: definition.arms.map { .init($0.id, $0.title) }) { _, d in
                .text(d.enrolment.armID) },
            C("protocol_version", "Protocol version the enrolment runs under", .text) { _, d in .text(d.enrolment.protocolVersion) },
            C("consented_date", "Date of consent (first move to consented)", .date) { p, d in
                .text(p.dateText(firstMove(d, to: .consented).map(CalendarDate.init))) },
            C("enrolled_date", "Date of enrolment (first move to enrolled)", .date) { p, d in
                .text(p.dateText(firstMove(d, to: .enrolled).map(CalendarDate.init))) },
            C("treatment_start_date", "First day of treatment (first move to on-treatment; study day 1)", .date) { p, d in
                .text(p.dateText(p.dayZero)) },
            C("treatment_discontinued_date", "Date the study treatment was discontinued for good", .date) { p, d in
                .text(p.dateText(d.enrolment.treatmentDiscontinuation?.on)) },
            C("treatment_discontinued_reason", "Why the study treatment was discontinued", .text, freeText: true) { _, d in
                .text(d.enrolment.treatmentDiscontinuation?.reason) },
            C("diagnoses", "Diagnoses as <code system>:<code>, separated by \"; \"", .text) { _, d in
                let codes = d.record.participant.diagnoses.map { "\($0.code.system.rawValue):\($0.code.code)" }
                return codes.isEmpty ? .missing : .text(codes.joined(separator: "; "))
            },
        ]
    }

    // MARK: observations

    static func observationColumns() -> [RecordColumn<ObservationItem>] {
        typealias C = RecordColumn<ObservationItem>
        return [
            subjectColumn(),
            C("visit", "Visit of the schedule the observation was recorded at (empty when none)", .text) { _, o in .text(o.visitKey) },
            C("date", "Date and time the value was measured (UTC)", .datetime) { p, o in .text(p.dateTimeText(o.observation.effective)) },
            C("study_day", "Study day of the measurement", .integer, derivation: studyDayDerivation) { p, o in
                .integer(p.studyDay(o.observation.effectiveDate, reference: p.dayZero)) },
            C("code_system", "Code system of the observation code", .text, codelist: "code_system",
              codes: CodeSystem.allCases.map { .init($0.rawValue, $0.uri) }) { _, o in .text(o.observation.code.system.rawValue) },
            C("code", "Observation code (LOINC where one exists, else a Restora local code)", .text) { _, o in .text(o.observation.code.code) },
            C("display", "Observation name", .text) { _, o in .text(o.observation.code.display) },
            C("panel", "Panel number within the subject: the values of one sample or panel share it", .integer,
              derivation: "The stored panels of the subject numbered 1, 2, … in the order their first value is stored (the stored panel id is internal)") { _, o in
                .integer(o.panelNumber) },
            C("value_type", "Kind of value", .text, codelist: "value_type", codes: [
                .init("quantity", "A number with a unit"), .init("integer", "A count or score"),
                .init("coded", "A code (value_code_system, value_code)"), .init("boolean", "Yes or no (value_text Y or N)"),
                .init("text", "Words (value_text)"),
            ]) { _, o in .text(o.valueType) },
            C("value_number", "Numeric value (quantity or integer)", .float) { _, o in .number(o.observation.value.number) },
            C("unit", "UCUM unit of value_number", .text) { _, o in .text(o.observation.value.quantity?.unit) },
            C("value_text", "Text value, or Y/N for a yes/no value", .text) { _, o in
                switch o.observation.value {
                case .text(let text): return .text(text)
                case .boolean(let flag): return yesNo(flag)
                default: return .missing
                }
            },
            C("value_code_system", "Code system of a coded value", .text) { _, o in .text(o.observation.value.coding?.system.rawValue) },
            C("value_code", "Coded value", .text) { _, o in .text(o.observation.value.coding?.code) },
            C("value_display", "Meaning of the coded value", .text) { _, o in .text(o.observation.value.coding?.display) },
            C("upper_limit_of_normal", "Upper limit of normal printed by the laboratory (unit of the value)", .float) { _, o in
                .number(o.observation.upperLimitOfNormal) },
            C("ctcae_term", "CTCAE v5.0 term the value is graded under (graded laboratory values only)", .text) { _, o in
                .text(o.ctcaeTerm) },
            C("ctcae_grade", "CTCAE v5.0 grade (0 = below grade 1; empty when ungraded or not gradable)", .integer,
              derivation: "CTCAELabGrading on the value, its ULN and the participant's baseline (the earliest earlier value of the test, LabGradingContext.recorded; REFERENCE.md E1)") { _, o in
                .integer(o.ctcaeGrade) },
            C("specimen", "Specimen type", .text) { _, o in .text(o.observation.specimen?.type) },
            C("specimen_centrifuged", "Specimen centrifuged", .text, codelist: "ny", codes: yesNoCodes) { _, o in
                yesNo(o.observation.specimen?.centrifuged) },
            C("pellet_examined", "Centrifuged pellet examined (REFERENCE.md B2, B3)", .text, codelist: "ny", codes: yesNoCodes) { _, o in
                yesNo(o.observation.specimen?.pelletExamined) },
            C("pellet_finding", "Pellet finding", .text, codelist: "pellet_finding",
              codes: enumerationCodes(SpecimenDetails.PelletFinding.self)) { _, o in .text(o.observation.specimen?.pelletFinding?.rawValue) },
            C("abstinence_days", "Days of sexual abstinence before the semen sample", .integer, unit: "days") { _, o in
                .integer(o.observation.specimen?.abstinenceDays) },
            C("body_site", "Body site measured", .text) { _, o in .text(o.observation.bodySite) },
            C("note", "Note (free text)", .text, freeText: true) { _, o in .text(o.observation.note) },
        ]
    }

    // MARK: adverse events

    static func adverseEventColumns() -> [RecordColumn<AdverseEvent>] {
        typealias C = RecordColumn<AdverseEvent>
        return [
            subjectColumn(),
            C("term", "CTCAE v5.0 term", .text) { _, e in .text(e.term) },
            C("other_specify", "Words of an \"Other, specify\" term (free text)", .text, freeText: true) { _, e in .text(e.otherSpecify) },
            C("meddra_code", "MedDRA code of the CTCAE term (empty for an uncoded term)", .text) { _, e in .text(e.meddraCode) },
            C("system_organ_class", "CTCAE system organ class", .text) { _, e in .text(e.systemOrganClass) },
            C("grade", "CTCAE v5.0 grade", .integer, codelist: "ctcae_grade", codes: [
                .init("1", "Mild"), .init("2", "Moderate"), .init("3", "Severe or medically significant"),
                .init("4", "Life-threatening"), .init("5", "Death related to the adverse event"),
            ]) { _, e in .integer(e.grade) },
            C("serious", "Serious (ICH E2A)", .text, codelist: "ny", codes: yesNoCodes) { _, e in yesNo(e.isSerious) },
            C("seriousness", "Seriousness criteria met, separated by \"; \"", .text, codelist: "seriousness",
              codes: enumerationCodes(AdverseEvent.Seriousness.self)) { _, e in
                e.seriousness.isEmpty ? .missing : .text(e.seriousness.map(\.rawValue).joined(separator: "; ")) },
            C("expected", "Expected per the reference safety information", .text, codelist: "ny", codes: yesNoCodes) { _, e in
                yesNo(e.expected) },
            C("relatedness", "Relationship to the study treatment", .text, codelist: "relatedness",
              codes: enumerationCodes(AdverseEvent.Relatedness.self)) { _, e in .text(e.relatedness.rawValue) },
            C("outcome", "Outcome", .text, codelist: "ae_outcome", codes: enumerationCodes(AdverseEvent.Outcome.self)) { _, e in
                .text(e.outcome.rawValue) },
            C("action_taken", "Action taken with the study treatment", .text, codelist: "action_taken",
              codes: enumerationCodes(AdverseEvent.ActionTaken.self)) { _, e in .text(e.actionTaken.rawValue) },
            C("onset_date", "Onset date", .date) { p, e in .text(p.dateText(e.onset)) },
            C("onset_study_day", "Study day of onset", .integer, derivation: studyDayDerivation) { p, e in
                .integer(p.studyDay(e.onset, reference: p.dayZero)) },
            C("resolution_date", "Resolution date", .date) { p, e in .text(p.dateText(e.resolution)) },
            C("sponsor_aware_date", "Date the sponsor became aware (day 0 of the reporting clock, REFERENCE.md E3)", .date) { p, e in
                .text(p.dateText(e.sponsorAwareOn)) },
            C("note", "Note (free text)", .text, freeText: true) { _, e in .text(e.note) },
        ]
    }

    // MARK: medications

    static func medicationColumns() -> [RecordColumn<MedicationItem>] {
        typealias C = RecordColumn<MedicationItem>
        return [
            subjectColumn(),
            C("record_type", "What the row is", .text, codelist: "medication_record", codes: [
                .init("course", "A protocol drug course"), .init("dispensing", "One supply handed out for the course on the row's course number"),
                .init("concomitant", "A medicine taken besides the protocol treatment"),
            ]) { _, m in .text(m.recordType) },
            C("course", "Course number within the subject (links a dispensing to its course)", .integer) { _, m in .integer(m.courseNumber) },
            C("drug_system", "Code system of the drug (RxNorm)", .text) { _, m in .text(m.drug.system.rawValue) },
            C("drug_code", "Drug code", .text) { _, m in .text(m.drug.code) },
            C("drug_name", "Drug name", .text) { _, m in .text(m.drug.display) },
            C("drug_class", "Drug class (concomitant)", .text) { _, m in .text(m.concomitant?.drugClass) },
            C("adjunct", "Recorded as an adjunct therapy of the program (concomitant)", .text, codelist: "ny", codes: yesNoCodes) { _, m in
                yesNo(m.concomitant?.adjunct) },
            C("dose", "Dose per administration (course)", .float) { _, m in .number(m.course?.dose.value) },
            C("dose_unit", "Unit of dose", .text) { _, m in .text(m.course?.dose.unit) },
            C("dose_text", "Dose as recorded (concomitant)", .text) { _, m in .text(m.concomitant?.dose) },
            C("route", "Route", .text) { _, m in .text(m.course?.route) },
            C("doses_per_period", "Doses per period", .integer) { _, m in .integer(m.course?.frequency.dosesPerPeriod) },
            C("period", "Period of the frequency", .text, codelist: "period", codes: enumerationCodes(DoseFrequency.Period.self)) { _, m in
                .text(m.course?.frequency.period.rawValue) },
            C("start_date", "Start date", .date) { p, m in .text(p.dateText(m.course?.start ?? m.concomitant?.start)) },
            C("planned_stop_date", "Planned stop date (course)", .date) { p, m in .text(p.dateText(m.course?.plannedStop)) },
            C("stop_date", "Stop date", .date) { p, m in .text(p.dateText(m.course?.stop ?? m.concomitant?.stop)) },
            C("status", "Course status", .text, codelist: "course_status", codes: enumerationCodes(MedicationCourse.Status.self)) { _, m in
                .text(m.course?.status.rawValue) },
            C("stop_reason", "Why the course stopped (free text)", .text, freeText: true) { _, m in .text(m.course?.stopReason) },
            C("dispensed_date", "Date of the dispensing", .date) { p, m in .text(p.dateText(m.dispensing?.date)) },
            C("units_dispensed", "Units dispensed", .integer) { _, m in .integer(m.dispensing?.unitsDispensed) },
            C("days_covered", "Days the dispensing covers", .integer, unit: "days") { _, m in .integer(m.dispensing?.daysCovered) },
            C("units_returned", "Units returned at the next visit", .integer) { _, m in .integer(m.dispensing?.unitsReturned) },
            C("lot", "Lot number of the dispensing", .text) { _, m in .text(m.dispensing?.lot) },
        ]
    }

    // MARK: procedures

    static func procedureColumns() -> [RecordColumn<Procedure>] {
        typealias C = RecordColumn<Procedure>
        return [
            subjectColumn(),
            C("kind", "Kind of procedure", .text, codelist: "procedure_kind", codes: enumerationCodes(Procedure.Kind.self)) { _, r in
                .text(r.kind.rawValue) },
            C("code_system", "Code system of the procedure code", .text) { _, r in .text(r.code?.system.rawValue) },
            C("code", "Procedure code", .text) { _, r in .text(r.code?.code) },
            C("display", "Procedure name", .text) { _, r in .text(r.code?.display) },
            C("date", "Date and time performed (UTC)", .datetime) { p, r in .text(p.dateTimeText(r.performed)) },
            C("study_day", "Study day performed", .integer, derivation: studyDayDerivation) { p, r in
                .integer(p.studyDay(CalendarDate(r.performed), reference: p.dayZero)) },
            C("anatomical_site", "Anatomical site", .text) { _, r in .text(r.anatomicalSite) },
            C("laterality", "Laterality", .text) { _, r in .text(r.laterality) },
            C("imaging_guidance", "Imaging guidance", .text, codelist: "imaging_guidance",
              codes: enumerationCodes(Procedure.ImagingGuidance.self)) { _, r in .text(r.imagingGuidance?.rawValue) },
            C("anaesthesia", "Anaesthesia", .text, codelist: "anaesthesia", codes: enumerationCodes(Procedure.Anaesthesia.self)) { _, r in
                .text(r.anaesthesia?.rawValue) },
            C("source_tissue", "Source tissue of a harvest", .text) { _, r in .text(r.sourceTissue) },
            C("volume", "Harvested or injected volume", .float, unit: "mL") { _, r in .number(r.volumeML) },
            C("outcome", "Outcome (free text)", .text, freeText: true) { _, r in .text(r.outcome) },
            C("note", "Note (free text)", .text, freeText: true) { _, r in .text(r.note) },
        ]
    }

    // MARK: visits

    static func visitColumns(_ definition: ProtocolDefinition) -> [RecordColumn<Visit>] {
        typealias C = RecordColumn<Visit>
        return [
            subjectColumn(),
            C("visit", "Visit key of the schedule", .text, codelist: "visit",
              codes: definition.schedule.map { .init($0.key, $0.title) }) { _, v in .text(v.visitKey) },
            C("planned_day", "Planned day (protocol day offset from day 0, the first dose or injection)", .integer) { _, v in
                .integer(v.plannedDay) },
            C("window_before", "Days the visit may come before the planned day", .integer, unit: "days") { _, v in .integer(v.windowBefore) },
            C("window_after", "Days the visit may come after the planned day", .integer, unit: "days") { _, v in .integer(v.windowAfter) },
            C("date", "Actual date of the visit", .date) { p, v in .text(p.dateText(v.actualDate)) },
            C("study_day", "Study day of the visit", .integer, derivation: studyDayDerivation) { p, v in
                .integer(p.studyDay(v.actualDate, reference: p.dayZero)) },
            C("status", "Visit status", .text, codelist: "visit_status", codes: enumerationCodes(Visit.Status.self)) { _, v in
                .text(v.status.rawValue) },
            C("note", "Note (free text)", .text, freeText: true) { _, v in .text(v.note) },
        ]
    }

    // MARK: enrolment history

    static func transitionColumns() -> [RecordColumn<(offset: Int, element: StatusTransition)>] {
        typealias C = RecordColumn<(offset: Int, element: StatusTransition)>
        let statuses = enumerationCodes(EnrolmentStatus.self)
        return [
            subjectColumn(),
            C("sequence", "Order of the change within the subject (1 = first)", .integer) { _, t in .integer(t.offset + 1) },
            C("from_status", "Status before", .text, codelist: "enrolment_status", codes: statuses) { _, t in .text(t.element.from.rawValue) },
            C("to_status", "Status after", .text, codelist: "enrolment_status", codes: statuses) { _, t in .text(t.element.to.rawValue) },
            C("date", "Date and time of the change (UTC)", .datetime) { p, t in .text(p.dateTimeText(t.element.at)) },
            C("reason", "Reason given (free text)", .text, freeText: true) { _, t in .text(t.element.reason) },
        ]
    }
}

/// An observation with what the tables add to it: the key of the visit it was recorded at and, for a graded
/// laboratory value, its CTCAE v5.0 term and grade. A class, not a struct: each of the table's column closures
/// receives the item through a generic parameter, and a struct would be copied (with every string in it
/// retained) for every cell (issue #18: ≈ 10 % of the CSV export's time).
final class ObservationItem {
    let observation: Observation
    let visitKey: String?
    var ctcaeTerm: String?
    var ctcaeGrade: Int?
    var panelNumber: Int?

    init(observation: Observation, visitKey: String?) {
        self.observation = observation
        self.visitKey = visitKey
    }

    var valueType: String {
        switch observation.value {
        case .quantity: "quantity"
        case .integer: "integer"
        case .coded: "coded"
        case .boolean: "boolean"
        case .text: "text"
        }
    }

    /// A participant's observations in stored order. The grade is CTCAE v5.0 by `CTCAELabGrading` with the
    /// context the clinic's entry uses (`LabGradingContext.recorded`: the value's ULN, the baseline from the
    /// earliest earlier value of the same test; REFERENCE.md E1); only the values of the same test are searched.
    static func items(_ participant: ExportParticipant) -> [ObservationItem] {
        let observations = participant.data.record.observations
        let visitKeys = Dictionary(participant.data.visits.map { ($0.id, $0.visitKey) }, uniquingKeysWith: { a, _ in a })
        var sameTest: [Coding: [Observation]] = [:]
        for observation in observations where CTCAELabCodes.term(for: observation.code) != nil {
            sameTest[Coding(observation.code.system, observation.code.code), default: []].append(observation)
        }
        var panels: [String: Int] = [:]
        return observations.map { observation in
            let item = ObservationItem(observation: observation, visitKey: observation.visitID.flatMap { visitKeys[$0] })
            if let panel = observation.panelID {
                if panels[panel] == nil { panels[panel] = panels.count + 1 }
                item.panelNumber = panels[panel]
            }
            if let term = CTCAELabCodes.term(for: observation.code), !term.isClinicianGraded,
               let quantity = observation.value.quantity {
                let history = sameTest[Coding(observation.code.system, observation.code.code)] ?? []
                let lab = LabGradingContext.recorded(observation, history: history)
                item.ctcaeTerm = term.displayName
                item.ctcaeGrade = (try? CTCAELabGrading.grade(CTCAELabMeasurement(
                    term: term, value: quantity.value, unit: quantity.unit,
                    upperLimitOfNormal: lab.upperLimitOfNormal, baseline: lab.baseline)))?.grade
            }
            return item
        }
    }
}

/// One row of the medications table: a course, one dispensing of a course, or a concomitant medication (a
/// class for the reason `ObservationItem` is one).
final class MedicationItem {
    let recordType: String
    let courseNumber: Int?
    let drug: Coding
    let course: MedicationCourse?
    let dispensing: Dispensing?
    let concomitant: ConcomitantMedication?

    init(recordType: String, courseNumber: Int? = nil, drug: Coding, course: MedicationCourse? = nil,
         dispensing: Dispensing? = nil, concomitant: ConcomitantMedication? = nil) {
        self.recordType = recordType
        self.courseNumber = courseNumber
        self.drug = drug
        self.course = course
        self.dispensing = dispensing
        self.concomitant = concomitant
    }

    static func items(_ participant: ExportParticipant) -> [MedicationItem] {
        var rows: [MedicationItem] = []
        for (index, course) in participant.data.record.medicationCourses.enumerated() {
            rows.append(MedicationItem(recordType: "course", courseNumber: index + 1, drug: course.drug, course: course))
            for dispensing in course.dispensings {
                rows.append(MedicationItem(recordType: "dispensing", courseNumber: index + 1, drug: course.drug, dispensing: dispensing))
            }
        }
        for medication in participant.data.record.medications {
            rows.append(MedicationItem(recordType: "concomitant", drug: medication.drug, concomitant: medication))
        }
        return rows
    }
}
