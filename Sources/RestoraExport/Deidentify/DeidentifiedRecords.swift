import Foundation
import RestoraDomain
import RestoraReports

/// The field-by-field rules of docs/deidentification.md applied to one participant's data (HIPAA Safe Harbor,
/// REFERENCE.md J): every field is kept, dropped, replaced or shifted, and the table in the document names
/// which. Database identifiers become pseudonymous ids built from the (random) study number and a running
/// count ("S-7KQ2M9XA-V3"), the same old id always giving the same new one within the participant, so the
/// links between records (an observation's visit, a procedure's cell product, a deviation's record) survive.
struct DeidentifiedRecords {
    /// What stays in a field whose presence means something but whose content named a person: the user who
    /// changed a status, handled a lot or assessed causality; an expedited report's reference number.
    static let withheld = "withheld"
    /// The term of an adverse event recorded as free text before it was coded (migration 0038): the words are
    /// typed prose, so they go; the event, its grade and dates stay.
    static let uncodedTerm = "Uncoded term (text withheld)"
    /// Where nothing is known of the birth date beyond what the export's age says (see `Deidentifier`).
    static let unknownBirthDate = CalendarDate(year: 1900, month: 1, day: 1)!

    let studyNumber: String
    /// Days added to every date; 0 when the export reduces dates to the year.
    let shiftDays: Int
    private var newIDs: [String: String] = [:]
    private var counts: [String: Int] = [:]

    init(studyNumber: String, shiftDays: Int) {
        self.studyNumber = studyNumber
        self.shiftDays = shiftDays
    }

    /// Record kinds a deviation's `recordKind` names, with the prefix of their pseudonymous ids.
    static let recordKindPrefixes = [
        "enrolments": "E", "visits": "V", "procedures": "R", "medication-courses": "M", "adverse-events": "A",
    ]

    mutating func apply(to data: ProgramParticipantData) -> ProgramParticipantData {
        let record = data.record
        let participantID = Identifier<Participant>(studyNumber)
        let participant = Participant(
            id: participantID, siteID: record.participant.siteID, mrn: studyNumber, givenName: nil, familyName: nil,
            sex: record.participant.sex, birthDate: Self.unknownBirthDate, postmenopausal: record.participant.postmenopausal,
            diagnoses: record.participant.diagnoses.map { Diagnosis(code: $0.code, onset: $0.onset.map(shift), note: nil) },
            history: record.participant.history.map {
                HistoryItem(kind: $0.kind, code: $0.code, description: $0.code?.display ?? "", date: $0.date.map(shift), outcome: nil)
            })
        let deidentifiedRecord = ParticipantRecord(
            participant: participant,
            observations: record.observations.map { observation($0, participantID) },
            medications: record.medications.map(medication),
            medicationCourses: record.medicationCourses.map { course($0, participantID) },
            procedures: record.procedures.map { procedure($0, participantID) },
            adverseEvents: record.adverseEvents.map { adverseEvent($0, participantID) },
            reviewedSections: record.reviewedSections)
        return ProgramParticipantData(
            record: deidentifiedRecord, enrolment: enrolment(data.enrolment, participantID),
            visits: data.visits.map { visit($0) }, cellProducts: data.cellProducts.map { cellProduct($0, participantID) },
            deviations: data.deviations.map { deviation($0, participantID) })
    }

    // MARK: Dates

    func shift(_ date: CalendarDate) -> CalendarDate { date.adding(days: shiftDays) }
    func shift(_ instant: Date) -> Date { instant.addingTimeInterval(Double(shiftDays) * 86_400) }

    // MARK: Identifiers

    /// The pseudonymous id of a database id of kind `prefix`: the study number and a running count.
    mutating func pseudonym(_ raw: String, _ prefix: String) -> String {
        let key = prefix + "\u{0}" + raw
        if let known = newIDs[key] { return known }
        let count = (counts[prefix] ?? 0) + 1
        counts[prefix] = count
        let made = "\(studyNumber)-\(prefix)\(count)"
        newIDs[key] = made
        return made
    }

    mutating func pseudonym<T>(_ id: Identifier<T>, _ prefix: String) -> Identifier<T> {
        Identifier(pseudonym(id.rawValue, prefix))
    }

    /// A person who acted (a user id) is withheld; the role they acted in is kept.
    func actor(_ actor: Actor) -> Actor { Actor(userID: Self.withheld, role: actor.role) }

    /// A short descriptor typed by staff (a body site, a route, a drug class, a dose as text) is kept only when
    /// it cannot hold a date, a phone, fax or record number, an e-mail or web address or an IP address: at most
    /// 60 characters of letters, digits, spaces and `-,.()%/+`, at most 4 digits, at most one full stop.
    /// Anything else is dropped as free text. A name typed into such a field is not caught (docs/deidentification.md).
    static func descriptor(_ text: String?) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 60,
              trimmed.unicodeScalars.allSatisfy({ descriptorScalars.contains($0) }),
              trimmed.filter(\.isNumber).count <= 4,
              trimmed.filter({ $0 == "." }).count <= 1
        else { return nil }
        return trimmed
    }

    private static let descriptorScalars = CharacterSet.letters.union(.decimalDigits).union(CharacterSet(charactersIn: " -,.()%/+"))

    // MARK: Records

    mutating func observation(_ source: Observation, _ participantID: Identifier<Participant>) -> Observation {
        var o = source
        o.id = pseudonym(o.id, "O")
        o.participantID = participantID
        o.enrolmentID = o.enrolmentID.map { pseudonym($0, "E") }
        o.visitID = o.visitID.map { pseudonym($0, "V") }
        o.panelID = o.panelID.map { pseudonym($0, "G") }
        if case .text = o.value { o.value = .text("") }
        o.effective = shift(o.effective)
        o.specimen = o.specimen.map { s in
            var specimen = s
            specimen.type = Self.descriptor(s.type) ?? ""
            specimen.collected = s.collected.map(shift)
            specimen.note = nil
            return specimen
        }
        o.bodySite = Self.descriptor(o.bodySite)
        o.note = nil
        return o
    }

    func medication(_ source: ConcomitantMedication) -> ConcomitantMedication {
        ConcomitantMedication(drug: source.drug, drugClass: Self.descriptor(source.drugClass), dose: Self.descriptor(source.dose),
                              start: source.start.map(shift), stop: source.stop.map(shift), adjunct: source.adjunct)
    }

    mutating func course(_ source: MedicationCourse, _ participantID: Identifier<Participant>) -> MedicationCourse {
        var c = source
        c.id = pseudonym(c.id, "M")
        c.participantID = participantID
        c.enrolmentID = c.enrolmentID.map { pseudonym($0, "E") }
        c.route = Self.descriptor(c.route) ?? ""
        c.start = shift(c.start)
        c.plannedStop = c.plannedStop.map(shift)
        c.stop = c.stop.map(shift)
        c.dispensings = c.dispensings.map {
            Dispensing(date: shift($0.date), unitsDispensed: $0.unitsDispensed, daysCovered: $0.daysCovered,
                       unitsReturned: $0.unitsReturned, lot: nil)
        }
        c.stopReason = nil
        c.heldByAlertID = c.heldByAlertID.map { pseudonym($0, "H") }
        c.heldOn = c.heldOn.map(shift)
        return c
    }

    mutating func procedure(_ source: Procedure, _ participantID: Identifier<Participant>) -> Procedure {
        var p = source
        p.id = pseudonym(p.id, "R")
        p.participantID = participantID
        p.enrolmentID = p.enrolmentID.map { pseudonym($0, "E") }
        p.performed = shift(p.performed)
        p.performer = p.performer.map(actor)
        p.anatomicalSite = Self.descriptor(p.anatomicalSite)
        p.laterality = Self.descriptor(p.laterality)
        p.sourceTissue = Self.descriptor(p.sourceTissue)
        p.cellProductID = p.cellProductID.map { pseudonym($0, "C") }
        p.outcome = nil
        p.note = nil
        return p
    }

    mutating func adverseEvent(_ e: AdverseEvent, _ participantID: Identifier<Participant>) -> AdverseEvent {
        // Rebuilt through the initialiser so that the derived reporting due date follows the shifted dates.
        AdverseEvent(
            id: pseudonym(e.id, "A"), participantID: participantID, enrolmentID: e.enrolmentID.map { pseudonym($0, "E") },
            term: e.isCoded ? e.term : Self.uncodedTerm, grade: e.grade, seriousness: e.seriousness, expected: e.expected,
            relatedness: e.relatedness, onset: shift(e.onset), resolution: e.resolution.map(shift), outcome: e.outcome,
            actionTaken: e.actionTaken, sponsorAwareOn: e.sponsorAwareOn.map(shift), note: nil, meddraCode: e.meddraCode,
            systemOrganClass: e.systemOrganClass, otherSpecify: nil, expectedBasis: e.expectedBasis,
            causalityAssessedBy: e.causalityAssessedBy.map { _ in Self.withheld },
            initialReport: e.initialReport.map(report), followUpReceivedOn: e.followUpReceivedOn.map(shift),
            followUpReport: e.followUpReport.map(report))
    }

    func report(_ r: ReportSubmission) -> ReportSubmission {
        ReportSubmission(kind: r.kind, submittedOn: shift(r.submittedOn), submittedBy: Self.withheld, reference: Self.withheld)
    }

    mutating func visit(_ source: Visit) -> Visit {
        var v = source
        v.id = pseudonym(v.id, "V")
        v.enrolmentID = pseudonym(v.enrolmentID, "E")
        v.actualDate = v.actualDate.map(shift)
        v.note = nil
        return v
    }

    mutating func enrolment(_ e: Enrolment, _ participantID: Identifier<Participant>) -> Enrolment {
        Enrolment(
            id: pseudonym(e.id, "E"), participantID: participantID, programID: e.programID, siteID: e.siteID, armID: e.armID,
            status: e.status,
            transitions: e.transitions.map { StatusTransition(from: $0.from, to: $0.to, actor: actor($0.actor), at: shift($0.at), reason: "") },
            protocolVersion: e.protocolVersion,
            treatmentDiscontinuation: e.treatmentDiscontinuation.map {
                TreatmentDiscontinuation(on: shift($0.on), reason: "", alertID: $0.alertID.map { pseudonym($0, "H") })
            })
    }

    mutating func cellProduct(_ source: CellProduct, _ participantID: Identifier<Participant>) -> CellProduct {
        var c = source
        c.id = pseudonym(c.id, "C")
        c.lot = pseudonym(c.lot, "L")
        c.participantID = participantID
        c.enrolmentID = c.enrolmentID.map { pseudonym($0, "E") }
        c.sourceTissue = Self.descriptor(c.sourceTissue) ?? ""
        c.harvestProcedureID = c.harvestProcedureID.map { pseudonym($0, "R") }
        c.custody = c.custody.map { CustodyEvent(kind: $0.kind, at: shift($0.at), actor: actor($0.actor), location: nil, note: nil) }
        return c
    }

    mutating func deviation(_ source: ProtocolDeviation, _ participantID: Identifier<Participant>) -> ProtocolDeviation {
        var d = source
        d.id = pseudonym(d.id, "D")
        d.participantID = participantID
        d.enrolmentID = pseudonym(d.enrolmentID, "E")
        d.reason = ""
        if let kind = d.recordKind, let raw = d.recordID, let prefix = Self.recordKindPrefixes[kind] {
            d.recordID = pseudonym(raw, prefix)
        } else {
            d.recordID = nil
        }
        d.signedBy = actor(d.signedBy)
        d.signedAt = shift(d.signedAt)
        return d
    }
}
