import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
@testable import RestoraExport

/// Participants for the de-identification tests: `full` has every field of every record kind filled, its free
/// text seeded with identifiers of every Safe Harbor category (REFERENCE.md J), so a rule that lets one through
/// shows up in the encoded output; `demo` is the demo clinic's participants as an export reads them.
enum DeidentFixture {
    static let repositoryRoot = ExportDemo.repositoryRoot

    static let mrn = "MRN-00417733"
    static let givenName = "Alice"
    static let familyName = "Quimby"
    static let birthDate = CalendarDate(year: 1970, month: 5, day: 17)!
    static let phone = "555-867-5309"
    static let fax = "fax 555-201-7788"
    static let email = "alice.quimby@example.org"
    static let ssn = "123-45-6789"
    static let healthPlan = "HP-99887766"
    static let account = "ACCT-55501234"
    static let licence = "MD-4455661"
    static let vehicle = "1HGCM82633A004352"
    static let deviceSerial = "SN-4471-XYZ-90213"
    static let url = "https://alice.example.org/me"
    static let ip = "192.168.10.24"
    static let street = "12 Elm Street, Springfield"
    static let staff = "dr.jsmith"

    static func day(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: d)! }
    static func instant(_ y: Int, _ m: Int, _ d: Int, hour: Int = 9) -> Date {
        day(y, m, d).startOfDayUTC.addingTimeInterval(Double(hour) * 3600)
    }

    /// One participant with every field set, reference date (first transition) 2024-01-10.
    static func full(id: String = "db-participant-1", birthDate: CalendarDate = birthDate, mrn: String = mrn) -> ProgramParticipantData {
        let pid = Identifier<Participant>(id)
        let eid = Identifier<Enrolment>("db-enrolment-\(id)")
        let staffActor = Actor(userID: staff, role: "investigator")
        let participant = Participant(
            id: pid, siteID: "db-site-1", mrn: mrn, givenName: givenName, familyName: familyName, sex: .female,
            birthDate: birthDate, postmenopausal: true,
            diagnoses: [Diagnosis(code: ClinicalCodes.osteoporosis, onset: day(2020, 2, 3), note: "call \(givenName) on \(phone)")],
            history: [HistoryItem(kind: .fracture, code: ClinicalCodes.fragilityFracture, description: "fell outside \(street)",
                                  date: day(2019, 7, 8), outcome: "healed; write to \(email)")])
        let observation = Observation(
            id: "db-observation-1", participantID: pid, enrolmentID: eid, visitID: "db-visit-1", panelID: "db-panel-1",
            code: ClinicalCodes.dxaBMD(.lumbarSpine), value: .quantity(Quantity(0.81, "g/cm2")), effective: instant(2024, 2, 1),
            specimen: SpecimenDetails(type: "serum", collected: instant(2024, 2, 1, hour: 8), centrifuged: true, centrifugationG: 3000,
                                      centrifugationMinutes: 15, pelletExamined: true, pelletFinding: .noSperm, abstinenceDays: 3,
                                      note: "SSN \(ssn) on the tube"),
            bodySite: "lumbar spine L1-L4", note: "scanner serial \(deviceSerial)", upperLimitOfNormal: 1.2)
        let textObservation = Observation(
            id: "db-observation-2", participantID: pid, enrolmentID: eid, visitID: "db-visit-1", panelID: "db-panel-1",
            code: ClinicalCodes.fractureReview, value: .text("see \(url) and plan \(healthPlan)"), effective: instant(2024, 2, 1, hour: 10),
            bodySite: ip)
        let course = MedicationCourse(
            id: "db-course-1", participantID: pid, enrolmentID: eid, drug: ClinicalCodes.alendronate, dose: Quantity(70, "mg"),
            route: "oral", frequency: .weekly(1), start: day(2024, 1, 20), plannedStop: day(2025, 1, 20), stop: day(2024, 9, 1),
            status: .held,
            dispensings: [Dispensing(date: day(2024, 1, 20), unitsDispensed: 4, daysCovered: 28, unitsReturned: 0, lot: "PH-LOT-778812")],
            stopReason: "account \(account) unpaid", heldByAlertID: "db-alert-1", heldOn: day(2024, 8, 15))
        let procedure = Procedure(
            id: "db-procedure-1", participantID: pid, enrolmentID: eid, kind: .tissueHarvest, code: Coding(.snomed, "234326005"),
            performed: instant(2024, 1, 15, hour: 10), performer: staffActor, anatomicalSite: "posterior iliac crest",
            laterality: "left", imagingGuidance: .ultrasound, anaesthesia: .local, sourceTissue: "bone-marrow-aspirate",
            volumeML: 60, cellProductID: "db-product-1", outcome: "uneventful; device \(deviceSerial)", note: "licence \(licence)")
        let event = AdverseEvent(
            id: "db-event-1", participantID: pid, enrolmentID: eid, term: "Skin and subcutaneous tissue disorders - Other, specify",
            grade: 3, seriousness: [.hospitalization], expected: false, relatedness: .possible, onset: day(2024, 3, 1),
            resolution: day(2024, 3, 20), outcome: .recovered, actionTaken: .drugInterrupted, sponsorAwareOn: day(2024, 3, 2),
            note: "vehicle \(vehicle) involved; \(fax)", meddraCode: "10040785", systemOrganClass: "Skin and subcutaneous tissue disorders",
            otherSpecify: "rash after visiting \(street)", expectedBasis: "not listed in the reference safety information",
            causalityAssessedBy: staff,
            initialReport: ReportSubmission(kind: .initial, submittedOn: day(2024, 3, 10), submittedBy: staff, reference: "MW-2024-000123"),
            followUpReceivedOn: day(2024, 3, 25),
            followUpReport: ReportSubmission(kind: .followUp, submittedOn: day(2024, 4, 2), submittedBy: staff, reference: "MW-2024-000124"))
        let uncoded = AdverseEvent(
            id: "db-event-2", participantID: pid, enrolmentID: eid, term: "fell off bike near \(street)", grade: 1,
            relatedness: .notRelated, onset: day(2024, 5, 5), outcome: .recovered)
        let visit = Visit(id: "db-visit-1", enrolmentID: eid, visitKey: "month-1", plannedDay: 30, windowBefore: 7, windowAfter: 7,
                          actualDate: day(2024, 2, 1), status: .completed, note: "\(givenName) brought her husband")
        let enrolment = Enrolment(
            id: eid, participantID: pid, programID: "db-program-1", siteID: "db-site-1", armID: "injection", status: .followUp,
            transitions: [
                StatusTransition(from: .prescreened, to: .screening, actor: staffActor, at: instant(2024, 1, 10), reason: "referred by Dr Who"),
                StatusTransition(from: .screening, to: .enrolled, actor: staffActor, at: instant(2024, 1, 12), reason: "consented"),
                StatusTransition(from: .enrolled, to: .onTreatment, actor: staffActor, at: instant(2024, 1, 15, hour: 11), reason: "day 0"),
                StatusTransition(from: .onTreatment, to: .followUp, actor: staffActor, at: instant(2024, 8, 15), reason: "stop rule 2024-08-15"),
            ],
            protocolVersion: "1.2",
            treatmentDiscontinuation: TreatmentDiscontinuation(on: day(2024, 8, 15), reason: "ALT 300 U/L on 2024-08-14", alertID: "db-alert-1"))
        let product = CellProduct(
            id: "db-product-1", lot: "LOT-BH-000731", participantID: pid, enrolmentID: eid, sourceTissue: "bone-marrow-aspirate",
            harvestProcedureID: "db-procedure-1", totalCells: 5e7, viableCells: 4.6e7, viabilityPercent: 92,
            releaseTests: ReleaseTestResults(markersPercent: ["CD73": 98], viabilityPercent: 92, sterilityNoGrowth: true,
                                             endotoxin: Quantity(0.5, "EU/mL"), mycoplasmaNegative: true, doseCells: 4e7,
                                             participantWeightKg: 64, productVolumeML: 5),
            releaseStatus: .administered,
            custody: [CustodyEvent(kind: .harvested, at: instant(2024, 1, 15, hour: 10), actor: staffActor,
                                   location: "Room 12, \(street)", note: "handed to \(givenName)'s sister")],
            releaseDecision: ReleaseDecision(
                criteria: [ReleaseCriterionResult(criterion: "viability", requirement: "≥ 70 %", observed: "92 %", status: .pass, note: "read once")],
                specification: .isct2006Default, specificationSource: "built-in ISCT 2006 defaults"))
        let deviation = ProtocolDeviation(
            id: "db-deviation-1", participantID: pid, enrolmentID: eid, category: .procedure,
            rule: "intervention harvest: volume ≤ 80 mL", field: "volumeML", reason: "Dr Who approved by phone \(phone)",
            recordKind: "procedures", recordID: "db-procedure-1", protocolID: "cell-therapy", protocolVersion: "1.2",
            signedBy: staffActor, signedAt: instant(2024, 1, 15, hour: 12))
        let record = ParticipantRecord(
            participant: participant, observations: [observation, textObservation],
            medications: [ConcomitantMedication(drug: ClinicalCodes.estradiol, drugClass: "hrt", dose: "1 mg daily",
                                                start: day(2023, 6, 1), stop: day(2024, 6, 1), adjunct: true)],
            medicationCourses: [course], procedures: [procedure], adverseEvents: [event, uncoded],
            reviewedSections: [.diagnoses, .history])
        return ProgramParticipantData(record: record, enrolment: enrolment, visits: [visit], cellProducts: [product],
                                      deviations: [deviation])
    }

    /// Every identifier planted in `full`, none of which may survive de-identification.
    static let plantedIdentifiers: [String] = [
        mrn, givenName, familyName, phone, "555-201-7788", email, ssn, healthPlan, account, licence, vehicle, deviceSerial,
        url, ip, "Elm Street", "Springfield", staff, "Dr Who", "MW-2024-000123", "MW-2024-000124", "LOT-BH-000731",
        "PH-LOT-778812", "fell off bike",
    ]

    /// The database ids in `full` (each as it appears in JSON, quoted).
    static let databaseIDs: [String] = [
        "db-participant-1", "db-enrolment-db-participant-1", "db-observation-1", "db-observation-2", "db-visit-1", "db-panel-1",
        "db-course-1", "db-alert-1", "db-procedure-1", "db-product-1", "db-event-1", "db-event-2", "db-deviation-1",
    ]

    /// The demo clinic in memory (no storage), generated once per test process.
    static let clinic = Result<DemoClinic, any Error> { try DemoClinic.generate(protocols: try ExportDemo.catalog().protocols) }

    /// Every demo participant as an export reads it.
    static func demo() throws -> [ProgramParticipantData] {
        try clinic.get().participants.map {
            ProgramParticipantData(record: $0.record, enrolment: $0.enrolment, visits: $0.visits, cellProducts: $0.cellProducts)
        }
    }

    /// The JSON of one participant's data as every export writer may see it (dates as ISO 8601 text, so a date
    /// of any kind can be found by scanning).
    static func json(_ data: ProgramParticipantData, subject: ExportParticipant? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = try encoder.encode(Encoded(
            record: data.record, enrolment: data.enrolment, visits: data.visits, cellProducts: data.cellProducts,
            deviations: data.deviations, subjectID: subject?.subjectID, ageYears: subject?.ageYears, ageText: subject?.ageText))
        return String(decoding: encoded, as: UTF8.self)
    }

    struct Encoded: Encodable {
        var record: ParticipantRecord
        var enrolment: Enrolment
        var visits: [Visit]
        var cellProducts: [CellProduct]
        var deviations: [ProtocolDeviation]
        var subjectID: String?
        var ageYears: Int?
        var ageText: String?
    }

    /// Every YYYY-MM-DD found in a text (dates, and the date part of ISO 8601 instants).
    static func dateStrings(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\d{4}-\d{2}-\d{2}"#)
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    /// Every key of every JSON object in a text.
    static func jsonKeys(in text: String) throws -> Set<String> {
        var keys: Set<String> = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, inner) in object { keys.insert(key); walk(inner) }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        return keys
    }

    /// Every date of every record kind in a participant's data, in a fixed order, as day numbers (instants as
    /// whole seconds), labelled with where it came from. Two participants' lists pair up field by field.
    static func datedFields(_ data: ProgramParticipantData) -> [(String, Double)] {
        var out: [(String, Double)] = []
        func add(_ label: String, _ date: CalendarDate?) { if let date { out.append((label, Double(date.dayNumber) * 86_400)) } }
        func add(_ label: String, _ instant: Date?) { if let instant { out.append((label, instant.timeIntervalSince1970)) } }
        let r = data.record
        r.participant.diagnoses.forEach { add("diagnosis.onset", $0.onset) }
        r.participant.history.forEach { add("history.date", $0.date) }
        for o in r.observations { add("observation.effective", o.effective); add("specimen.collected", o.specimen?.collected) }
        for m in r.medications { add("medication.start", m.start); add("medication.stop", m.stop) }
        for c in r.medicationCourses {
            add("course.start", c.start); add("course.plannedStop", c.plannedStop); add("course.stop", c.stop)
            add("course.heldOn", c.heldOn); c.dispensings.forEach { add("dispensing.date", $0.date) }
        }
        r.procedures.forEach { add("procedure.performed", $0.performed) }
        for e in r.adverseEvents {
            add("ae.onset", e.onset); add("ae.resolution", e.resolution); add("ae.sponsorAwareOn", e.sponsorAwareOn)
            add("ae.followUpReceivedOn", e.followUpReceivedOn); add("ae.reportDueOn", e.reportDueOn)
            add("ae.initialReport", e.initialReport?.submittedOn); add("ae.followUpReport", e.followUpReport?.submittedOn)
        }
        data.visits.forEach { add("visit.actualDate", $0.actualDate) }
        data.enrolment.transitions.forEach { add("transition.at", $0.at) }
        add("discontinuation.on", data.enrolment.treatmentDiscontinuation?.on)
        data.cellProducts.forEach { $0.custody.forEach { add("custody.at", $0.at) } }
        data.deviations.forEach { add("deviation.signedAt", $0.signedAt) }
        return out
    }
}
