import Foundation
import RestoraDomain

/// One participant's history as dated steps, replayed in order (ties broken by `rank`, so a visit is
/// recorded before the observations made at it, and a screening after the day's results).
struct DemoStep {
    enum Kind {
        case transition(StatusTransition)
        case visit(Visit)
        case observation(Observation)
        /// The values of one panel (same panel id, recorded together): one `ClinicalEntry.recordPanel`.
        case panel([Observation])
        case adverseEvent(AdverseEvent)
        case procedure(Procedure)
        case courseStarted(MedicationCourse)
        case dispensing(Identifier<MedicationCourse>, Dispensing)
        case courseEnded(MedicationCourse)
        case screening(CalendarDate)
        case product(DemoProductStep)
    }

    var at: Date
    var rank: Int
    var kind: Kind
}

extension DemoSeeder {
    /// Replays one participant's history as one transaction: every action goes through its service as the
    /// API records it (each service's own transaction becomes a savepoint of this one), and the participant's
    /// records and audit entries commit together. A failure leaves nothing of that participant.
    func replay(_ demo: DemoParticipant, definition: ProtocolDefinition, summary: inout Summary) async throws {
        let (instance, catalog, ids) = (self.instance, self.catalog, self.ids)
        summary.add(try await repositories.transaction { tx in
            var part = Summary()
            let seeder = DemoSeeder(repositories: tx, instance: instance, catalog: catalog, ids: ids)
            try await seeder.replayActions(demo, definition: definition, summary: &part)
            return part
        })
    }

    /// Creates the participant, the enrolment (pre-screened) and its visit calendar, then replays the rest.
    func replayActions(_ demo: DemoParticipant, definition: ProtocolDefinition, summary: inout Summary) async throws {
        let repos = repositories
        let entry = ClinicalEntry(repositories: repos, catalog: catalog, ids: ids)
        _ = try await repos.participants.create(demo.participant, context: context(), idempotencyKey: nil)
        summary.participants += 1
        try await recordScreeningInputs(demo)
        let start = Enrolment(id: demo.enrolment.id, participantID: demo.enrolment.participantID,
                              programID: demo.enrolment.programID, siteID: demo.enrolment.siteID, armID: demo.enrolment.armID)
        var enrolmentVersion = try await repos.enrolments.create(start, context: context(), idempotencyKey: nil).version
        // The calendar and every visit go through VisitEntry, as the API and the web form record them.
        let visits = VisitEntry(repositories: repos, catalog: catalog, ids: ids)
        for visit in demo.visits {
            _ = try await visits.record(
                VisitEntry.Request(visitKey: visit.visitKey, outcome: .scheduled, plannedDay: visit.plannedDay,
                                   windowBefore: visit.windowBefore, windowAfter: visit.windowAfter, id: visit.id),
                enrolment: visit.enrolmentID, today: CalendarDate(Date(timeIntervalSince1970: 0)), context: context(), idempotencyKey: nil)
        }
        var courseVersions: [Identifier<MedicationCourse>: Int] = [:]
        let cellTherapy = CellTherapyEntry(repositories: repos, catalog: catalog)
        let medication = MedicationEntry(repositories: repos, catalog: catalog)
        var products = DemoProductLedger()
        var lastVerdict: EligibilityReport.Verdict?
        for step in Self.panels(steps(of: demo)) {
            switch step.kind {
            case let .transition(t):
                // Results still pending at the screening visit: screened again before eligibility is declared.
                if t.to == .eligible, lastVerdict != .eligible {
                    lastVerdict = try await screen(demo, definition: definition, on: CalendarDate(t.at))
                    summary.screenings += 1
                }
                // The signed consent first, so the consent gate admits the move (DemoConsent.swift, issue #16 item 2).
                if t.to == .consented { try await recordConsent(demo, at: t.at) }
                // A randomised protocol enrols by randomising, through the same service as the API (DemoRCT.swift).
                if t.to == .enrolled, definition.randomisation != nil {
                    enrolmentVersion = try await randomise(demo, at: t.at, expectedVersion: enrolmentVersion, reason: t.reason)
                    continue
                }
                // Through the eligibility gate, as the API and the web form move an enrolment (EnrolmentTransitions).
                enrolmentVersion = try await EnrolmentTransitions(repositories: repos, catalog: catalog, ids: ids).transition(
                    demo.enrolment.id, to: t.to, at: t.at, expectedVersion: enrolmentVersion, signedAt: t.at, context: context(t.reason)
                ).enrolment.version
            case let .visit(visit):
                let outcome: VisitEntry.Outcome = switch visit.status {
                case .completed: visit.actualDate.map { .attended($0) } ?? .scheduled
                case .missed: .missed
                case .cancelled: .cancelled
                case .scheduled: .scheduled
                }
                _ = try await visits.record(VisitEntry.Request(visitKey: visit.visitKey, outcome: outcome, note: visit.note),
                                            enrolment: visit.enrolmentID, today: CalendarDate(step.at), context: context(),
                                            idempotencyKey: nil)
            case let .observation(observation):
                let (_, safety) = try await entry.record(observation, context: context(), idempotencyKey: nil)
                summary.observations += 1
                summary.alertsRaised += safety.alerts.count
            case let .panel(observations):
                let results = try await entry.recordPanel(observations.map { ($0, nil) }, context: context())
                summary.observations += results.count
                summary.alertsRaised += results.reduce(0) { $0 + $1.safety.alerts.count }
            case let .adverseEvent(event):
                // Through AdverseEventEntry, as the API and the web form record it: coded, expectedness judged
                // from the protocol's reference safety information, causality assessed by the investigator.
                var judged = event
                judged.expected = false
                let safety = try await AdverseEventEntry(clinical: entry).record(
                    judged, causalityAssessor: prescriber().actor.userID, context: context(), idempotencyKey: nil).safety
                summary.adverseEvents += 1
                summary.alertsRaised += safety.alerts.count
            case let .procedure(procedure):
                // Through CellTherapyEntry, as the API and the web form record it: the protocol's limits are
                // checked, and an injection marks its lot administered.
                _ = try await cellTherapy.recordProcedure(procedure, now: procedure.performed, context: context(), idempotencyKey: nil)
            case let .courseStarted(course):
                // Through MedicationEntry: only an investigator prescribes, within the protocol's regimen.
                courseVersions[course.id] = try await medication.startCourse(
                    course, now: course.start.startOfDayUTC, context: prescriber(), idempotencyKey: nil).version
            case let .dispensing(courseID, dispensing):
                courseVersions[courseID] = try await medication.dispense(
                    dispensing, to: courseID, expectedVersion: courseVersions[courseID] ?? 1, context: context()).version
            case let .courseEnded(course):
                let end = course.stop ?? course.plannedStop ?? course.start
                courseVersions[course.id] = try await medication.changeStatus(
                    of: course.id, to: course.status, on: end,
                    reason: course.stopReason,
                    expectedVersion: courseVersions[course.id] ?? 1, context: prescriber()).version
            case let .screening(date):
                lastVerdict = try await screen(demo, definition: definition, on: date)
                summary.screenings += 1
            case let .product(productStep):
                try await products.apply(productStep, seeder: self, definition: definition, summary: &summary)
            }
        }
    }

    /// Consecutive observations of one panel become one step, recorded as the panel they are (one
    /// transaction with all its values and the alerts they raise, as the API records a semen analysis).
    static func panels(_ steps: [DemoStep]) -> [DemoStep] {
        var result: [DemoStep] = []
        result.reserveCapacity(steps.count)
        for step in steps {
            guard case let .observation(observation) = step.kind, let panel = observation.panelID, let last = result.last else {
                result.append(step)
                continue
            }
            switch last.kind {
            case let .observation(previous) where previous.panelID == panel:
                result[result.count - 1].kind = .panel([previous, observation])
            case let .panel(previous) where previous.first?.panelID == panel:
                result[result.count - 1].kind = .panel(previous + [observation])
            default:
                result.append(step)
            }
        }
        return result
    }

    /// The participant's dated steps in chronological order.
    func steps(of demo: DemoParticipant) -> [DemoStep] {
        let record = demo.record
        var steps: [DemoStep] = []
        let transitions = demo.enrolment.transitions
        for t in transitions { steps.append(DemoStep(at: t.at, rank: 5, kind: .transition(t))) }
        if let screening = transitions.first(where: { $0.to == .screening }) {
            steps.append(DemoStep(at: screening.at, rank: 6, kind: .screening(CalendarDate(screening.at))))
        }
        let dayZero = transitions.first { $0.to == .onTreatment }.map { CalendarDate($0.at) }
        let lastTransition = transitions.last?.at ?? Date(timeIntervalSince1970: 0)
        for visit in demo.visits where visit.status != .scheduled {
            // Attended visits are recorded on the day; a missed one when its window closes; a cancelled one
            // with the end of the participation.
            let at: Date
            if let actual = visit.actualDate {
                at = actual.startOfDayUTC.addingTimeInterval(8 * 3600)
            } else if let dayZero, visit.status == .missed {
                at = dayZero.adding(days: visit.plannedDay + visit.windowAfter).startOfDayUTC.addingTimeInterval(17 * 3600)
            } else {
                at = lastTransition.addingTimeInterval(60)
            }
            steps.append(DemoStep(at: at, rank: 0, kind: .visit(visit)))
        }
        for observation in record.observations { steps.append(DemoStep(at: observation.effective, rank: 2, kind: .observation(observation))) }
        for event in record.adverseEvents {
            steps.append(DemoStep(at: event.onset.startOfDayUTC.addingTimeInterval(12 * 3600), rank: 3, kind: .adverseEvent(event)))
        }
        for procedure in record.procedures { steps.append(DemoStep(at: procedure.performed, rank: 1, kind: .procedure(procedure))) }
        for course in record.medicationCourses { steps += courseSteps(course) }
        for product in demo.cellProducts { steps += DemoProductLedger.steps(of: product) }
        return steps.enumerated().sorted { a, b in
            (a.element.at, a.element.rank, a.offset) < (b.element.at, b.element.rank, b.offset)
        }.map(\.element)
    }

    /// A course is started (no dispensing yet), dispensed supply by supply, and closed with its final state.
    func courseSteps(_ course: MedicationCourse) -> [DemoStep] {
        var started = course
        started.dispensings = []
        started.stop = nil
        started.stopReason = nil
        started.status = .active
        let opened = course.start.startOfDayUTC.addingTimeInterval(8.5 * 3600)
        var steps = [DemoStep(at: opened, rank: 1, kind: .courseStarted(started))]
        for dispensing in course.dispensings {
            steps.append(DemoStep(at: max(opened, dispensing.date.startOfDayUTC.addingTimeInterval(8.75 * 3600)), rank: 1,
                                  kind: .dispensing(course.id, dispensing)))
        }
        if course.status != .active {
            let end = (course.stop ?? course.plannedStop ?? course.start).startOfDayUTC.addingTimeInterval(18 * 3600)
            steps.append(DemoStep(at: max(end, steps.last?.at ?? end), rank: 4, kind: .courseEnded(course)))
        }
        return steps
    }

    /// Screens with the eligibility engine on the screening date, on what was known by then, and stores the
    /// verdict with every criterion (as `POST /enrolments/{id}/screenings` does).
    @discardableResult
    func screen(_ demo: DemoParticipant, definition: ProtocolDefinition, on date: CalendarDate) async throws -> EligibilityReport.Verdict {
        var record = demo.record
        record.observations = record.observations.filter { $0.effectiveDate <= date }
        let report = EligibilityEngine.screen(record, against: definition, on: date)
        let screening = ScreeningRecord(
            id: Identifier("\(demo.enrolment.id.rawValue)-screening-\(date)"), participantID: demo.participant.id,
            enrolmentID: demo.enrolment.id, report: report, screenedBy: Self.loader)
        _ = try await repositories.screenings.create(screening, context: context(), idempotencyKey: nil)
        return report.verdict
    }
}
