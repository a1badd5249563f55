import Foundation
import RestoraDomain

/// Everything the participant page shows, read with a fixed number of queries per enrolment (no per-row
/// lookups): the participant (the read is audited), enrolments with their programs, visits and latest
/// screening, and the clinical records.
struct ParticipantPageModel: Sendable {
    struct EnrolmentView: Sendable {
        var enrolment: Versioned<Enrolment>
        var program: Program
        var definition: ProtocolDefinition?
        var visits: [Visit]
        var schedule: VisitSchedule?
        var latestScreening: ScreeningRecord?
    }

    var today: CalendarDate
    var participant: Versioned<Participant>
    var siteName: String
    var enrolments: [EnrolmentView]
    var observations: [Versioned<Observation>]
    var adverseEvents: [Versioned<AdverseEvent>]
    var medicationCourses: [Versioned<MedicationCourse>]
    var cellProducts: [Versioned<CellProduct>]
    var procedures: [Versioned<Procedure>]
    var alerts: [Versioned<SafetyAlertRecord>]
    var programsToEnrol: [Program]
    var canWrite: Bool
    var canAcknowledge: Bool
    var canReadAudit: Bool
    /// Programs whose study report this user may open (it pools every site of the program).
    var reportablePrograms: Set<Identifier<Program>> = []
    var deviations: [ProtocolDeviation] = []  // issue #14: ParticipantPage+Deviations.swift
    var concomitantMedications: [Versioned<ConcomitantMedicationRecord>] = []  // issue #14: ScreeningInputsPage.swift
    var sectionReviews: [Versioned<SectionReview>] = []
    var queries: [Versioned<DataQuery>] = []  // issue #19
    var queriesSDV = ParticipantQueriesSDV()  // issue #16 item 5: ParticipantPage+Queries.swift
    var locking = ParticipantLocks()  // issue #16 item 4: ParticipantPage+Lock.swift
    var consent = ParticipantConsents()  // issue #16 item 2: ParticipantPage+Consent.swift
    var randomisation = ParticipantRandomisation()  // issue #16 item 1: ParticipantPage+Randomisation.swift
    var signatures = ParticipantSignatures()  // issue #16 item 3: ParticipantPage+Signatures.swift

    static func load(_ id: Identifier<Participant>, user: UserAccount, context: AppRequestContext, dependencies: WebDependencies) async throws -> ParticipantPageModel {
        let r = dependencies.repositories
        let participant = try await Access.openParticipant(id, for: user, in: r, context: context.audit(user))
        let today = CalendarDate(dependencies.clock.now())
        async let observations = r.observations.list(participant: id)
        async let events = r.adverseEvents.list(participant: id)
        async let courses = r.medicationCourses.list(participant: id)
        async let products = r.cellProducts.list(participant: id)
        async let procedureList = r.procedures.list(participant: id)
        async let alerts = r.safetyAlerts.list(participant: id)
        async let screenings = r.screenings.list(participant: id)
        async let programList = r.programs.list()
        async let sites = r.sites.list()
        let programs = Dictionary(uniqueKeysWithValues: try await programList.map { ($0.value.id, $0.value) })
        let allScreenings = try await screenings.map(\.value)
        var views: [EnrolmentView] = []
        for enrolment in try await r.enrolments.list(participant: id) {
            guard let program = programs[enrolment.value.programID] else { continue }
            let definition = try? dependencies.catalog.definition(for: enrolment.value, program: program)
            let visits = try await r.visits.list(enrolment: enrolment.value.id).map(\.value)
            let dataDates = VisitCalendar.dataDates(try await observations.map(\.value), enrolment: enrolment.value.id)
            let latest = allScreenings.filter { $0.enrolmentID == enrolment.value.id }.max { $0.screenedOn < $1.screenedOn }
            views.append(EnrolmentView(
                enrolment: enrolment, program: program, definition: definition, visits: visits,
                schedule: definition.flatMap { schedule(enrolment.value, visits: visits, definition: $0, today: today, dataDates: dataDates) },
                latestScreening: latest))
        }
        let enrolledPrograms = Set(views.filter { !ClinicalEntry.closedStatuses.contains($0.enrolment.value.status) }.map(\.program.id))
        return ParticipantPageModel(
            today: today, participant: participant,
            siteName: try await sites.first { $0.value.id == participant.value.siteID }?.value.name ?? participant.value.siteID.rawValue,
            enrolments: views,
            observations: try await observations.sorted { $0.value.effective > $1.value.effective },
            adverseEvents: try await events.sorted { $0.value.onset > $1.value.onset },
            medicationCourses: try await courses, cellProducts: try await products,
            procedures: try await procedureList.sorted { $0.value.performed > $1.value.performed },
            alerts: try await alerts.sorted { $0.value.raisedAt > $1.value.raisedAt },
            programsToEnrol: programs.values.filter { $0.siteIDs.contains(participant.value.siteID) && !enrolledPrograms.contains($0.id) }
                .sorted { $0.name < $1.name },
            canWrite: user.role.writesClinicalData, canAcknowledge: SafetyAlertAccess.mayAcknowledge(user),
            canReadAudit: user.role.readsAudit || user.role.writesClinicalData,
            reportablePrograms: Set(programs.values.filter { $0.siteIDs.allSatisfy { user.canSee(site: $0) } }.map(\.id)),
            deviations: try await r.deviations.list(participant: id).map(\.value),
            concomitantMedications: try await r.concomitantMedications.list(participant: id),
            sectionReviews: try await r.sectionReviews.list(participant: id),
            queries: try await r.queries.list(participant: id),
            queriesSDV: try await ParticipantQueriesSDV.load(id, user: user, repositories: r),
            locking: try await ParticipantLocks.load(id, user: user, repositories: r),
            consent: try await ParticipantConsents.load(id, repositories: r),
            randomisation: try await ParticipantRandomisation.load(views, user: user, dependencies: dependencies),
            signatures: try await ParticipantSignatures.load(id, user: user, repositories: r))
    }

    /// The protocol calendar from day 0 (the move to on-treatment) with each visit's state today; a visit with
    /// data entered in its window (`dataDates`) is done (docs/visits.md).
    static func schedule(_ enrolment: Enrolment, visits: [Visit], definition: ProtocolDefinition, today: CalendarDate,
                         dataDates: [CalendarDate] = []) -> VisitSchedule? {
        guard let start = enrolment.transitions.first(where: { $0.to == .onTreatment }).map({ CalendarDate($0.at) }) else { return nil }
        let keys = Set(definition.schedule.map(\.key))
        var records: [String: VisitRecord] = [:]
        for visit in visits where keys.contains(visit.visitKey) {
            if visit.status == .missed { records[visit.visitKey] = .missed }
            if visit.status == .completed, let date = visit.actualDate { records[visit.visitKey] = .attended(date) }
        }
        return try? ScheduleEngine.schedule(for: definition, start: start, today: today, records: records, dataDates: dataDates)
    }

    var record: [Observation] { observations.map(\.value) }

    /// The participant's record as the report reads it (for the response reading).
    var participantRecord: ParticipantRecord {
        ParticipantRecord(participant: participant.value, observations: record, medicationCourses: medicationCourses.map(\.value),
                          procedures: procedures.map(\.value), adverseEvents: adverseEvents.map(\.value))
    }
}

/// The clinical reading shown beside an observation: the CTCAE grade of a graded laboratory value, the
/// position of a semen parameter against the WHO 2021 lower reference limit (REFERENCE.md B1).
enum ObservationReading {
    /// `history` (the participant's observations) gives a relative CTCAE grade its baseline.
    static func text(_ observation: Observation, history: [Observation] = []) -> (text: String, cssClass: String)? {
        let lab = LabGradingContext.recorded(observation, history: history)
        if let interpretation = try? ObservationInterpretation.of(observation, lab: lab), let result = interpretation.ctcae {
            guard let grade = result.grade else { return (notGraded(result.cannotGrade), "grade-0") }
            return grade == 0 ? ("CTCAE grade 0 (normal)", "grade-0") : ("CTCAE grade \(grade)", "grade-\(grade)")
        }
        let limits = SemenReferenceLimits.who2021
        let table: [(Coding, Double)] = [
            (ClinicalCodes.semenVolume, limits.volumeML), (ClinicalCodes.spermConcentration, limits.concentrationMillionPerML),
            (ClinicalCodes.totalMotility, limits.totalMotilityPercent), (ClinicalCodes.progressiveMotility, limits.progressiveMotilityPercent),
            (ClinicalCodes.normalForms, limits.normalFormsPercent),
        ]
        if let (_, limit) = table.first(where: { $0.0.sameConcept(as: observation.code) }), let value = observation.value.number {
            return value < limit
                ? ("below the WHO 2021 lower reference limit (\(Self.format(limit)))", "grade-2")
                : ("at or above the WHO 2021 lower limit (\(Self.format(limit)))", "grade-0")
        }
        return nil
    }

    /// Why a graded test has no grade, in a few words (the full reason is in the API's interpretation).
    static func notGraded(_ reason: String?) -> String {
        guard let reason else { return "not gradable" }
        if reason.contains("needs upper limit of normal") { return "not graded: no ULN recorded" }
        if reason.contains("needs baseline") { return "not graded: first value of the test (the baseline)" }
        return "not graded: grade by hand"
    }

    static func format(_ value: Double) -> String {
        // NumberText.plain, not Int(value): a whole value beyond Int (1e20 kg, accepted by the API) stopped the server.
        value == value.rounded() ? NumberText.plain(value) : String(format: "%.2f", value).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// A measure's name as a clinician reads it: the code's display without the source citation some displays
    /// carry ("Testicular histology (REFERENCE.md B5)" → "Testicular histology"), else the code.
    static func measureName(_ code: Coding) -> String {
        guard let display = code.display else { return code.code }
        let cleaned = display.replacingOccurrences(of: #"\s*\(REFERENCE\.md [^)]*\)"#, with: "", options: .regularExpression)
        return cleaned.isEmpty ? code.code : cleaned
    }

    static func value(_ value: ObservationValue) -> String {
        switch value {
        case let .quantity(q): return UnitText.quantity(format(q.value), q.unit)
        case let .coded(c): return c.display ?? c.code
        case let .integer(i): return String(i)
        case let .boolean(b): return b ? "yes" : "no"
        case let .text(t): return t
        }
    }
}
