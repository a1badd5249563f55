import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Protocol actions that act (issue #15 item 4, docs/safety-actions.md), on both engines: a triglyceride
/// recorded through `ClinicalEntry` holds or stops the isotretinoin course in the same transaction; dispensing
/// and injections are refused under a hold or a stop; only an investigator resumes, with a reason; a completed
/// course is untouched; a completed enrolment ends its course; acknowledging needs a comment.
@Suite("Safety actions: hold, stop, resume, acknowledgement — on both engines", .serialized)
struct SafetyActionStorageTests {
    static let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-inv")
    static let coordinator = Fixture.coordinator
    static let day0 = CalendarDate(year: 2025, month: 10, day: 1)!

    static func catalog() throws -> ProtocolCatalog {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ProtocolCatalog.load(directory: root.appendingPathComponent("protocols").path)
    }

    /// p-1 on treatment in the isotretinoin program, with an active course `mc-1` (one supply dispensed).
    static func onTreatment(_ db: StorageDatabase) async throws -> (Repositories, ProtocolCatalog) {
        let repos = try await Fixture.seed(db)
        let catalog = try catalog()
        _ = try await repos.programs.create(
            Program(id: "prog-iso", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Iso", siteIDs: ["site-a"]),
            context: coordinator, idempotencyKey: nil)
        var version = try await repos.enrolments.create(
            Enrolment(id: "e-1", participantID: "p-1", programID: "prog-iso", siteID: "site-a"), context: coordinator, idempotencyKey: nil).version
        for status in [EnrolmentStatus.screening, .eligible, .consented, .enrolled, .onTreatment] {
            version = try await repos.enrolments.transition("e-1", to: status, at: day0.startOfDayUTC.addingTimeInterval(36_000),
                                                           expectedVersion: version, context: Fixture.editing("path")).version
        }
        let medication = MedicationEntry(repositories: repos, catalog: catalog)
        var course = Fixture.course()
        course.enrolmentID = "e-1"
        course.start = day0
        course.plannedStop = nil
        let stored = try await medication.startCourse(course, context: investigator, idempotencyKey: nil)
        _ = try await medication.dispense(Dispensing(date: day0, unitsDispensed: 60, daysCovered: 30), to: "mc-1",
                                          expectedVersion: stored.version, context: coordinator)
        return (repos, catalog)
    }

    static func triglyceride(_ value: Double, on day: Int) -> Observation {
        Observation(id: Identifier("tg-\(Int(value))-\(day)"), participantID: "p-1", enrolmentID: "e-1",
                    code: Coding(.loinc, "2571-8", display: "Triglyceride"), value: .quantity(Quantity(value, "mg/dL")),
                    effective: day0.adding(days: day).startOfDayUTC.addingTimeInterval(9 * 3600))
    }

    /// What a triglyceride does to the course, the enrolment and the next dispensing.
    struct Case: Sendable, CustomStringConvertible {
        var value: Double
        /// The course ended before the value (completed, or stopped early by the prescriber).
        var endedFirst: MedicationCourse.Status?
        var course: MedicationCourse.Status
        var enrolment: EnrolmentStatus
        var rules: [String]
        var dispensingRefusedBy: String?
        var description: String { "\(value) mg/dL\(endedFirst.map { " on a \($0.rawValue) course" } ?? "") → \(course.rawValue)" }
    }

    static let cases: [Case] = [
        Case(value: 150, course: .active, enrolment: .onTreatment, rules: [], dispensingRefusedBy: nil),
        Case(value: 600, course: .held, enrolment: .onTreatment, rules: ["tg-grade3-hold"], dispensingRefusedBy: "safety hold: tg-grade3-hold"),
        Case(value: 1200, course: .stopped, enrolment: .followUp, rules: ["tg-grade3-hold", "tg-grade4-stop"],
             dispensingRefusedBy: "safety stop: tg-grade4-stop"),
        // A completed or stopped course stays as it is: a hold reactivates nothing.
        Case(value: 600, endedFirst: .completed, course: .completed, enrolment: .onTreatment, rules: ["tg-grade3-hold"],
             dispensingRefusedBy: "safety hold: tg-grade3-hold"),
        Case(value: 600, endedFirst: .stopped, course: .stopped, enrolment: .onTreatment, rules: ["tg-grade3-hold"],
             dispensingRefusedBy: "safety hold: tg-grade3-hold"),
    ]

    @Test("a triglyceride's rule acts on the course, the enrolment and dispensing", arguments: TestDatabase.urls, cases)
    func holdAndStop(url: String, c: Case) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let medication = MedicationEntry(repositories: repos, catalog: catalog)
            if let ended = c.endedFirst {
                let v = try await repos.medicationCourses.get("mc-1").version
                _ = try await medication.changeStatus(of: "mc-1", to: ended, on: Self.day0.adding(days: 30),
                                                      reason: ended == .stopped ? "participant's choice" : nil,
                                                      expectedVersion: v, context: Self.investigator)
            }
            let entry = ClinicalEntry(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            let (_, safety) = try await entry.record(Self.triglyceride(c.value, on: 40), context: Self.coordinator, idempotencyKey: "tg")
            #expect(safety.alerts.map(\.value.ruleID) == c.rules)
            #expect(safety.alerts.allSatisfy { $0.value.clinicalDate == Self.day0.adding(days: 40) })
            let course = try await repos.medicationCourses.get("mc-1")
            #expect(course.value.status == c.course)
            let enrolment = try await repos.enrolments.get("e-1").value
            #expect(enrolment.status == c.enrolment)
            switch c.course {
            case .held:
                #expect(course.value.heldByAlertID == safety.alerts.first?.value.id)
                #expect(course.value.heldOn == Self.day0.adding(days: 40))
            case .stopped where c.endedFirst == .stopped:
                #expect(course.value.stop == Self.day0.adding(days: 30) && course.value.stopReason == "participant's choice")
                #expect(enrolment.treatmentDiscontinuation == nil)
            case .stopped:
                #expect(course.value.stop == Self.day0.adding(days: 40))
                #expect(course.value.stopReason?.contains("tg-grade4-stop") == true)
                #expect(enrolment.treatmentDiscontinuation?.on == Self.day0.adding(days: 40))
                #expect(enrolment.treatmentDiscontinuation?.alertID == safety.alerts.last?.value.id)
                #expect(enrolment.transitions.last?.reason.contains("treatment discontinued") == true)
            default:
                #expect(course.value.heldByAlertID == nil)
                #expect(enrolment.treatmentDiscontinuation == nil)
            }
            // A retry of the same request stores nothing twice and acts no further.
            _ = try await entry.record(Self.triglyceride(c.value, on: 40), context: Self.coordinator, idempotencyKey: "tg")
            #expect(try await repos.medicationCourses.get("mc-1").version == course.version)

            let supply = Dispensing(date: Self.day0.adding(days: 41), unitsDispensed: 60, daysCovered: 30)
            do {
                _ = try await medication.dispense(supply, to: "mc-1", expectedVersion: course.version, context: Self.coordinator)
                #expect(c.dispensingRefusedBy == nil, "dispensed under \(c.dispensingRefusedBy ?? "")")
            } catch let DomainError.protocolRule(rule, field, message) {
                #expect(rule == c.dispensingRefusedBy)
                #expect(field == "course")
                #expect(message.contains(safety.alerts.last?.value.id.rawValue ?? "?"))
            } catch let DomainError.invalidValue(_, message) {
                #expect(c.endedFirst != nil, "refused: \(message)")
            }
            let dispensed = try await repos.medicationCourses.get("mc-1").value.dispensings.count
            #expect(dispensed == (c.dispensingRefusedBy == nil ? 2 : 1))
        }
    }

    @Test("resume: a coordinator is refused, an investigator needs a reason, then dispensing is allowed; a stop is never resumed",
          arguments: TestDatabase.urls)
    func resume(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let entry = ClinicalEntry(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            let (_, safety) = try await entry.record(Self.triglyceride(600, on: 40), context: Self.coordinator, idempotencyKey: nil)
            let alert = try #require(safety.alerts.first?.value)
            let holds = TreatmentHolds(repositories: repos)
            let held = try await repos.medicationCourses.get("mc-1")
            let now = Self.day0.adding(days: 45).startOfDayUTC

            await #expect(throws: RoleRefusal.self) {
                try await holds.resume(course: "mc-1", reason: "repeat value normal", expectedVersion: held.version, now: now, context: Self.coordinator)
            }
            do {
                _ = try await holds.resume(course: "mc-1", reason: "  ", expectedVersion: held.version, now: now, context: Self.investigator)
                Issue.record("resumed without a reason")
            } catch let DomainError.invalidValue(field, _) {
                #expect(field == "reason")
            }
            #expect(try await repos.medicationCourses.get("mc-1").version == held.version)  // nothing written
            #expect(try await repos.safetyAlerts.get(alert.id).value.holdLiftedAt == nil)

            let resumed = try await holds.resume(course: "mc-1", reason: "fasting repeat 280 mg/dL; diet advice",
                                                 expectedVersion: held.version, now: now, context: Self.investigator)
            #expect(resumed.value.status == .active && resumed.value.heldByAlertID == nil)
            let lifted = try await repos.safetyAlerts.get(alert.id).value
            #expect(lifted.holdLiftedBy?.userID == "u-inv" && lifted.holdLiftedAt == now)
            #expect(lifted.holdLiftReason == "fasting repeat 280 mg/dL; diet advice")
            let history = try await repos.audit.history(table: "medication_courses", recordID: "mc-1")
            #expect(history.contains { $0.reason?.contains("resumed by the investigator") == true })
            let medication = MedicationEntry(repositories: repos, catalog: catalog)
            let after = try await medication.dispense(Dispensing(date: Self.day0.adding(days: 45), unitsDispensed: 60, daysCovered: 30),
                                                      to: "mc-1", expectedVersion: resumed.version, context: Self.coordinator)
            #expect(after.value.dispensings.count == 2)

            // Grade 4: stopped for good; resuming a stopped course is refused.
            _ = try await entry.record(Self.triglyceride(1200, on: 60), context: Self.coordinator, idempotencyKey: nil)
            let stopped = try await repos.medicationCourses.get("mc-1")
            #expect(stopped.value.status == .stopped)
            await #expect(throws: DomainError.self) {
                try await holds.resume(course: "mc-1", reason: "try again", expectedVersion: stopped.version, now: now, context: Self.investigator)
            }
            #expect(try await repos.medicationCourses.get("mc-1").value.status == .stopped)
            // Visits continue: the enrolment is in follow-up and completes; the stopped course stays stopped.
            let enrolment = try await repos.enrolments.get("e-1")
            #expect(enrolment.value.status == .followUp)
            _ = try await EnrolmentTransitions(repositories: repos, catalog: catalog, ids: UUIDGenerator()).transition(
                "e-1", to: .completed, at: Self.day0.adding(days: 212).startOfDayUTC, expectedVersion: enrolment.version,
                signedAt: now, context: Fixture.editing("post-treatment visit done"))
            #expect(try await repos.medicationCourses.get("mc-1").value.status == .stopped)
        }
    }

    @Test("a completed enrolment ends its active course (completed on the day)", arguments: TestDatabase.urls)
    func enrolmentEndEndsCourse(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let transitions = EnrolmentTransitions(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            var version = try await repos.enrolments.get("e-1").version
            version = try await transitions.transition("e-1", to: .followUp, at: Self.day0.adding(days: 182).startOfDayUTC, expectedVersion: version,
                                                       signedAt: Date(), context: Fixture.editing("course done")).enrolment.version
            #expect(try await repos.medicationCourses.get("mc-1").value.status == .active)
            _ = try await transitions.transition("e-1", to: .completed, at: Self.day0.adding(days: 212).startOfDayUTC, expectedVersion: version,
                                                 signedAt: Date(), context: Fixture.editing("program completed"))
            let course = try await repos.medicationCourses.get("mc-1").value
            #expect(course.status == .completed)
            #expect(course.stop == Self.day0.adding(days: 212))
            #expect(course.stopReason == nil)
        }
    }

    @Test("a withdrawal stops the active course with its reason", arguments: TestDatabase.urls)
    func withdrawalStopsCourse(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let version = try await repos.enrolments.get("e-1").version
            _ = try await EnrolmentTransitions(repositories: repos, catalog: catalog, ids: UUIDGenerator()).transition(
                "e-1", to: .withdrawn, at: Self.day0.adding(days: 50).startOfDayUTC, expectedVersion: version,
                signedAt: Date(), context: Fixture.editing("moved abroad"))
            let course = try await repos.medicationCourses.get("mc-1").value
            #expect(course.status == .stopped && course.stop == Self.day0.adding(days: 50))
            #expect(course.stopReason == "enrolment withdrawn: moved abroad")
        }
    }

    @Test("a hold on a cell program's enrolment refuses the injection naming the rule; lifted by an investigator it no longer does",
          arguments: TestDatabase.urls)
    func injectionHold(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let alert = SafetyAlertRecord(id: "sa-hold", participantID: "p-1", enrolmentID: "e-1", ruleID: "harvest-site-hold",
                                          action: .holdDrug, message: "harvest site infection", raisedAt: Fixture.instant,
                                          clinicalDate: Self.day0.adding(days: 20))
            let stored = try await repos.safetyAlerts.create(alert, context: Self.coordinator, idempotencyKey: nil)
            let injection = Procedure(id: "pr-inj", participantID: "p-1", enrolmentID: "e-1", kind: .injection, performed: Fixture.instant,
                                      anatomicalSite: "testis", cellProductID: "cp-none")
            let cells = CellTherapyEntry(repositories: repos, catalog: catalog)
            do {
                _ = try await cells.recordProcedure(injection, context: Self.investigator, idempotencyKey: nil)
                Issue.record("injected under a hold")
            } catch let DomainError.protocolRule(rule, field, message) {
                #expect(rule == "safety hold: harvest-site-hold" && field == "enrolmentID" && message.contains("sa-hold"))
            }
            #expect(try await repos.procedures.list(participant: "p-1").isEmpty)
            let holds = TreatmentHolds(repositories: repos)
            await #expect(throws: RoleRefusal.self) {
                try await holds.resume(alert: "sa-hold", reason: "healed", expectedVersion: stored.version, now: Fixture.instant, context: Self.coordinator)
            }
            let lifted = try await holds.resume(alert: "sa-hold", reason: "healed", expectedVersion: stored.version, now: Fixture.instant,
                                                context: Self.investigator)
            #expect(lifted.value.holdLiftReason == "healed" && !lifted.value.blocksTreatment)
            do {
                _ = try await cells.recordProcedure(injection, context: Self.investigator, idempotencyKey: nil)
            } catch let DomainError.protocolRule(rule, _, _) {
                #expect(!rule.hasPrefix("safety"), "still refused by \(rule)")
            } catch {
                // Refused for something else (no such lot): the hold no longer speaks.
            }
        }
    }

    @Test("acknowledging needs a comment: a blank one is refused naming comment with nothing written", arguments: TestDatabase.urls)
    func acknowledgement(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.onTreatment(db)
            let entry = ClinicalEntry(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            let alert = try #require(try await entry.record(Self.triglyceride(600, on: 40), context: Self.coordinator, idempotencyKey: nil).safety.alerts.first)
            let before = try await repos.audit.history(table: "safety_alerts", recordID: alert.value.id.rawValue).count
            let ack = AlertAcknowledgement(repositories: repos)
            for blank in [nil, "", "   \n"] as [String?] {
                do {
                    _ = try await ack.acknowledge(alert.value.id, comment: blank, expectedVersion: alert.version, now: Fixture.instant, context: Self.investigator)
                    Issue.record("acknowledged without a comment")
                } catch let DomainError.invalidValue(field, _) {
                    #expect(field == "comment")
                }
            }
            await #expect(throws: RoleRefusal.self) {
                try await ack.acknowledge(alert.value.id, comment: "seen", expectedVersion: alert.version, now: Fixture.instant, context: Self.coordinator)
            }
            #expect(try await repos.safetyAlerts.get(alert.value.id).version == alert.version)
            #expect(try await repos.audit.history(table: "safety_alerts", recordID: alert.value.id.rawValue).count == before)
            let done = try await ack.acknowledge(alert.value.id, comment: " drug held; repeat in a week ", expectedVersion: alert.version,
                                                 now: Fixture.instant, context: Self.investigator)
            #expect(done.value.status == .acknowledged && done.value.acknowledgementComment == "drug held; repeat in a week")
            // Acknowledging does not lift the hold.
            #expect(try await repos.medicationCourses.get("mc-1").value.status == .held)
        }
    }
}
