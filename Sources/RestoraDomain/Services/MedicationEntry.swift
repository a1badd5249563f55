import Foundation

/// Starting a medication course and handing out its supplies, the way every entry point must (issue #14
/// "The protocol decides"):
/// - only an investigator prescribes (a course is a prescription; ICH E6, REFERENCE.md H2);
/// - the course names its enrolment, the participant's own, in the program's enrolled or on-treatment state;
/// - drug, dose, route, frequency and duration keep to the protocol's `DrugRegimen` (`RegimenLimits`); a planned
///   stop left out is the regimen's last day;
/// - a course outside is refused naming the rule, unless the investigator sends a `deviation`: then it is stored
///   with one signed `ProtocolDeviation` per rule broken, in the same transaction;
/// - a dispensing covers at most 30 days (REFERENCE.md E2, iPLEDGE), and no more units than the days' doses
///   allow (a plausibility bound of two units a dose, so a spare supply is possible but not a month's extra).
public struct MedicationEntry: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog

    public init(repositories: Repositories, catalog: ProtocolCatalog) {
        self.repositories = repositories
        self.catalog = catalog
    }

    /// Who may prescribe, as the refusal names it.
    public static let prescriberRule = "a medication course is prescribed by an investigator"

    /// The enrolment states in which a course may start.
    public static let prescribingStates: [EnrolmentStatus] = [.enrolled, .onTreatment]

    public func startCourse(
        _ course: MedicationCourse, deviation: DeviationInput? = nil, now: Date = Date(), context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<MedicationCourse> {
        try RoleRefusal.requireInvestigator(context.actor, rule: Self.prescriberRule, doing: "prescribe a medication course")
        guard course.dose.value > 0, course.dose.value.isFinite else {
            throw DomainError.invalidValue(field: "dose", message: "a positive dose is required")
        }
        guard course.frequency.isPlausible else {
            throw DomainError.invalidValue(field: "dosesPerPeriod", message: "a dose is taken 1 to 6 times a day, or 1 to 7 times a week")
        }
        if let stop = course.plannedStop, stop < course.start {
            throw DomainError.invalidValue(field: "plannedStop", message: "the planned stop is before the start")
        }
        let catalog = self.catalog
        return try await repositories.transaction { tx in
            let entry = MedicationEntry(repositories: tx, catalog: catalog)
            let (judgement, planned, enrolment) = try await entry.judge(course)
            let signed = try judgement.permit(deviation, context: context)
            let stored = try await tx.medicationCourses.create(planned, context: context, idempotencyKey: idempotencyKey)
            if let signed, stored.value.id == course.id {
                try await judgement.record(signed, participant: course.participantID, enrolment: enrolment, recordKind: "medication-courses",
                                           recordID: stored.value.id.rawValue, at: now, repositories: tx, context: context)
            }
            return stored
        }
    }

    /// The course as it will be stored (the planned stop filled in from the regimen), what the protocol says of
    /// it, and its enrolment.
    func judge(_ course: MedicationCourse) async throws -> (TreatmentJudgement, MedicationCourse, Identifier<Enrolment>) {
        guard let enrolment = try await RecordReferences(repositories: repositories).enrolment(course.enrolmentID, of: course.participantID) else {
            throw DomainError.invalidValue(field: "enrolmentID", message: "a course of the program's drug names the enrolment it is prescribed under")
        }
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try catalog.definition(for: enrolment, program: program)  // the enrolment's version (docs/amendments.md)
        var planned = course
        var violations: [ProtocolViolation] = []
        if !Self.prescribingStates.contains(enrolment.status) {
            violations.append(ProtocolViolation(
                rule: "protocol \(definition.id): a course starts once enrolled (enrolled or on-treatment)", field: "enrolmentID",
                message: "the participant's enrolment is \(enrolment.status.rawValue), not enrolled or on treatment", category: .treatment))
        }
        if let (intervention, regimen) = RegimenLimits.intervention(in: definition, arm: enrolment.armID) {
            if planned.plannedStop == nil { planned.plannedStop = RegimenLimits.lastDay(of: regimen, from: course.start) }
            violations += RegimenLimits.violations(planned, intervention: intervention, regimen: regimen)
        } else {
            violations.append(ProtocolViolation(
                rule: "protocol \(definition.id): interventions", field: "drug",
                message: "the protocol \(definition.id) prescribes no drug course", category: .treatment))
        }
        return (TreatmentJudgement(violations: violations, protocolID: definition.id, protocolVersion: definition.version), planned, enrolment.id)
    }

    public static let maxUnitsPerDispensing = 10_000

    public func dispense(
        _ dispensing: Dispensing, to course: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        // REFERENCE.md E2 (iPLEDGE): no more than a 30-day supply at a time.
        guard (1...30).contains(dispensing.daysCovered), dispensing.unitsDispensed > 0 else {
            throw DomainError.invalidValue(field: "daysCovered", message: "a dispensing covers 1 to 30 days with at least one unit")
        }
        // A plausibility bound, not a clinical rule: no supply of one course reaches 10,000 units.
        guard dispensing.unitsDispensed <= Self.maxUnitsPerDispensing else {
            throw DomainError.invalidValue(field: "unitsDispensed", message: "at most \(Self.maxUnitsPerDispensing) units are dispensed at a time")
        }
        let course = try await repositories.medicationCourses.get(course)
        // A course held by a safety rule (or under a standing hold or stop) is refused naming the rule and the alert.
        try await TreatmentHolds(repositories: repositories).checkDispensable(course.value)
        guard [.active, .planned].contains(course.value.status) else {
            throw DomainError.invalidValue(field: "date", message: "the course is \(course.value.status.rawValue): nothing is dispensed for it")
        }
        guard dispensing.date >= course.value.start else {
            throw DomainError.invalidValue(field: "date", message: "the dispensing is before the course starts (\(course.value.start))")
        }
        // Units a dose are not recorded; two units a dose for the days covered is the most a supply may hold
        // (a weekly tablet for 28 days: 4 doses, at most 8 units).
        let doses = course.value.frequency.doses(inDays: dispensing.daysCovered)
        if Double(dispensing.unitsDispensed) > 2 * doses.rounded(.up) {
            throw DomainError.invalidValue(
                field: "unitsDispensed",
                message: "\(dispensing.unitsDispensed) units is more than \(dispensing.daysCovered) days of \(course.value.frequency) allow (\(NumberText.plain(doses.rounded(.up))) doses)")
        }
        if let returned = dispensing.unitsReturned, !(0...dispensing.unitsDispensed).contains(returned) {
            throw DomainError.invalidValue(field: "unitsReturned", message: "the units returned are from 0 to the units dispensed")
        }
        return try await repositories.medicationCourses.addDispensing(dispensing, to: course.value.id, expectedVersion: expectedVersion, context: context)
    }

    /// Enters the units the participant brought back from dispensing `index` (0 = the first supply): a count
    /// from 0 to the units dispensed, entered once (a supply is counted when it comes back). The adherence of
    /// the course is then computed from it (`MedicationCourse.adherence`).
    public func recordReturn(
        units: Int, dispensing index: Int, of id: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        let current = try await repositories.medicationCourses.get(id)
        guard current.version == expectedVersion else {
            throw RepositoryError.staleVersion(kind: "medication course", id: id.rawValue, expected: expectedVersion)
        }
        var course = current.value
        guard course.dispensings.indices.contains(index) else {
            throw DomainError.invalidValue(field: "dispensing", message: "the course has no dispensing \(index + 1)")
        }
        guard course.dispensings[index].unitsReturned == nil else {
            throw DomainError.invalidValue(field: "unitsReturned", message: "the units returned from this supply were already counted")
        }
        guard (0...course.dispensings[index].unitsDispensed).contains(units) else {
            throw DomainError.invalidValue(field: "unitsReturned", message: "the units returned are from 0 to the \(course.dispensings[index].unitsDispensed) dispensed")
        }
        course.dispensings[index].unitsReturned = units
        var audit = context
        audit.reason = "units returned from the supply of \(course.dispensings[index].date) counted"
        return try await repositories.medicationCourses.update(course, expectedVersion: expectedVersion, context: audit)
    }

    /// The changes of a course's status a prescriber makes: hold (a safety rule's "hold the drug", REFERENCE.md
    /// E2), resume a held course, stop it early (with the date and reason) or complete it. Only an investigator
    /// changes a prescription.
    public static let allowedChanges: [MedicationCourse.Status: Set<MedicationCourse.Status>] = [
        .planned: [.active, .stopped], .active: [.held, .stopped, .completed], .held: [.active, .stopped],
        .stopped: [], .completed: [],
    ]

    public func changeStatus(
        of id: Identifier<MedicationCourse>, to status: MedicationCourse.Status, on date: CalendarDate, reason: String?,
        expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        try RoleRefusal.requireInvestigator(context.actor, rule: Self.prescriberRule, doing: "change a medication course")
        let current = try await repositories.medicationCourses.get(id)
        // A course held by a safety rule is resumed the one way that lifts the rule's hold (`TreatmentHolds`).
        if current.value.status == .held, status == .active, current.value.heldByAlertID != nil {
            return try await TreatmentHolds(repositories: repositories).resume(
                course: id, reason: reason, expectedVersion: expectedVersion, now: date.startOfDayUTC, context: context)
        }
        guard current.version == expectedVersion else {
            throw RepositoryError.staleVersion(kind: "medication course", id: id.rawValue, expected: expectedVersion)
        }
        var course = current.value
        guard Self.allowedChanges[course.status]?.contains(status) == true else {
            throw DomainError.illegalTransition(from: course.status.rawValue, to: status.rawValue,
                                                message: "a \(course.status.rawValue) course cannot become \(status.rawValue)")
        }
        guard date >= course.start else {
            throw DomainError.invalidValue(field: "date", message: "the date is before the course started (\(course.start))")
        }
        // A hold, a resumption or an early stop says why; a course completed as planned needs no reason.
        var why = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if why.isEmpty, status == .completed { why = "completed as planned" }
        guard !why.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "say why the course is \(status.rawValue)")
        }
        course.status = status
        if status == .stopped || status == .completed { course.stop = date }
        // `stopReason` is the reason of an early stop (a discontinuation the report counts); the audit entry
        // keeps every change's reason.
        if status == .stopped { course.stopReason = why }
        var audit = context
        audit.reason = "course \(status.rawValue) on \(date): \(why)"
        return try await repositories.medicationCourses.update(course, expectedVersion: expectedVersion, context: audit)
    }
}
