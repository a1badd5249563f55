import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Clinical records", .serialized)
struct ClinicalRecordTests {
    @Test("sites and programs round-trip and update", arguments: TestDatabase.urls)
    func sitesAndPrograms(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            #expect(try await repos.sites.list().map(\.value.code) == ["A", "B"])
            await #expect(throws: RepositoryError.duplicate(kind: "site", field: "code")) {
                try await repos.sites.create(Fixture.site("site-c", code: "A"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            var program = try await repos.programs.get("prog-1").value
            #expect(program == Fixture.program())
            program.siteIDs.append("site-b")
            let updated = try await repos.programs.update(program, expectedVersion: 1, context: Fixture.coordinator)
            #expect(updated.value.siteIDs == ["site-a", "site-b"])
        }
    }

    @Test("enrolment transitions follow the state machine and are stored with who and why", arguments: TestDatabase.urls)
    func enrolments(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            let enrolment = Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a")
            _ = try await repos.enrolments.create(enrolment, context: Fixture.coordinator, idempotencyKey: nil)
            let moved = try await repos.enrolments.transition(
                "e-1", to: .screening, at: Fixture.instant, expectedVersion: 1, context: Fixture.editing("screening visit booked"))
            #expect(moved.value.status == .screening)
            #expect(moved.value.transitions.first?.reason == "screening visit booked")
            await #expect(throws: DomainError.self) {
                try await repos.enrolments.transition("e-1", to: .completed, at: Fixture.instant, expectedVersion: 2, context: Fixture.editing())
            }
            let stored = try await repos.enrolments.list(participant: "p-1")
            #expect(stored.map(\.value) == [moved.value])
            let history = try await repos.audit.history(table: "enrolments", recordID: "e-1")
            #expect(history.last { $0.table == "enrolments" }?.changes.map(\.field) == ["status", "transition_count"])
            // The transition itself is a row of enrolment_transitions with its own create entry (migration 0024),
            // part of the enrolment's history.
            #expect(history.last.map { [$0.table, $0.recordID] } == ["enrolment_transitions", "e-1:0"])
            let row = try await repos.audit.history(table: "enrolment_transitions", recordID: "e-1:0")
            #expect(row.map(\.action) == [.create] && row.first?.changes.map(\.new) == ["e-1"])
        }
    }

    @Test("one participant's values of one test, with the laboratory's ULN kept (migration 0020)", arguments: TestDatabase.urls)
    func observationsOfOneTest(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
            func value(_ id: String, _ participant: String, _ code: Coding, _ v: Double, uln: Double?) -> Observation {
                Observation(id: Identifier(id), participantID: Identifier(participant), code: code, value: .quantity(Quantity(v, "U/L")),
                            effective: Fixture.instant, upperLimitOfNormal: uln)
            }
            for observation in [value("o-1", "p-1", ClinicalCodes.alt, 30, uln: 40), value("o-2", "p-1", ClinicalCodes.ast, 28, uln: 35.5),
                                value("o-3", "p-1", ClinicalCodes.alt, 250, uln: nil), value("o-4", "p-2", ClinicalCodes.alt, 31, uln: 40)] {
                _ = try await repos.observations.create(observation, context: Fixture.coordinator, idempotencyKey: nil)
            }
            let alt = try await repos.observations.list(participant: "p-1", code: ClinicalCodes.alt).map(\.value)
            #expect(alt.map(\.id) == ["o-1", "o-3"])
            #expect(alt.map(\.upperLimitOfNormal) == [40, nil])
            #expect(try await repos.observations.get("o-2").value.upperLimitOfNormal == 35.5)
        }
    }

    @Test("visits: planned, then recorded; editing a recorded visit needs a reason", arguments: TestDatabase.urls)
    func visits(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.enrolments.create(
                Enrolment(id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a"), context: Fixture.coordinator, idempotencyKey: nil)
            var visit = Visit(id: "v-1", enrolmentID: "e-1", visitKey: "month-3", plannedDay: 90, windowBefore: 7, windowAfter: 7)
            _ = try await repos.visits.create(visit, context: Fixture.coordinator, idempotencyKey: nil)
            visit.actualDate = CalendarDate(year: 2026, month: 4, day: 2)
            visit.status = .completed
            _ = try await repos.visits.update(visit, expectedVersion: 1, context: Fixture.coordinator)
            visit.actualDate = CalendarDate(year: 2026, month: 4, day: 3)
            await #expect(throws: RepositoryError.reasonRequired(kind: "visit")) {
                try await repos.visits.update(visit, expectedVersion: 2, context: Fixture.coordinator)
            }
            #expect(try await repos.visits.list(enrolment: "e-1").map(\.value.actualDate) == [CalendarDate(year: 2026, month: 4, day: 2)])
        }
    }

    @Test("observations, procedures and adverse events round-trip, update and delete", arguments: TestDatabase.urls)
    func perParticipantRecords(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let observation = try await repos.observations.create(Fixture.observation(), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(observation.value == Fixture.observation())
            var corrected = observation.value
            corrected.value = .quantity(Quantity(160, "mg/dL"))
            _ = try await repos.observations.update(corrected, expectedVersion: 1, context: Fixture.editing())
            #expect(try await repos.observations.get("o-1").value.value == .quantity(Quantity(160, "mg/dL")))

            _ = try await repos.procedures.create(Fixture.procedure(), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await repos.procedures.list(participant: "p-1").map(\.value) == [Fixture.procedure()])

            _ = try await repos.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)
            var event = try await repos.adverseEvents.get("ae-1").value
            #expect(event == Fixture.adverseEvent())
            event.grade = 2
            _ = try await repos.adverseEvents.update(event, expectedVersion: 1, context: Fixture.editing("regraded at review"))
            try await repos.adverseEvents.delete("ae-1", expectedVersion: 2, context: Fixture.editing("duplicate entry"))
            #expect(try await repos.adverseEvents.list(participant: "p-1").isEmpty)
        }
    }

    @Test("cell products: unique lot, custody appended, found by lot", arguments: TestDatabase.urls)
    func cellProducts(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.cellProducts.create(Fixture.cellProduct(), context: Fixture.coordinator, idempotencyKey: nil)
            await #expect(throws: RepositoryError.duplicate(kind: "cell product", field: "lot")) {
                try await repos.cellProducts.create(Fixture.cellProduct("cp-2"), context: Fixture.coordinator, idempotencyKey: nil)
            }
            let event = CustodyEvent(kind: .harvested, at: Fixture.instant, actor: Actor(userID: "u-lab", role: "lab"), location: "theatre 2")
            let after = try await repos.cellProducts.appendCustody(event, to: "cp-1", expectedVersion: 1, context: Fixture.coordinator)
            #expect(after.value.custody == [event])
            #expect(try await repos.cellProducts.get(lot: "LOT-0001").value == after.value)
            // A pure append: the custody row's create entry (naming the lot) is the record of it (migration 0025).
            let history = try await repos.audit.history(table: "cell_products", recordID: "cp-1")
            #expect(history.filter { $0.table == "cell_products" }.map(\.action) == [.create])
            #expect(history.last.map { [$0.table, $0.recordID] } == ["cell_product_custody_events", "cp-1:0"])
            let entry = try #require(try await repos.audit.history(table: "cell_product_custody_events", recordID: "cp-1:0").last)
            #expect(entry.action == .create && entry.changes.map(\.field) == ["cell_product_id"] && entry.changes.map(\.new) == ["cp-1"])
        }
    }

    @Test("medication courses: dispensings appended", arguments: TestDatabase.urls)
    func medication(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.medicationCourses.create(Fixture.course(), context: Fixture.coordinator, idempotencyKey: nil)
            let dispensing = Dispensing(date: CalendarDate(year: 2026, month: 1, day: 5)!, unitsDispensed: 60, daysCovered: 30)
            let after = try await repos.medicationCourses.addDispensing(dispensing, to: "mc-1", expectedVersion: 1, context: Fixture.coordinator)
            #expect(after.value.dispensings == [dispensing])
            #expect(try await repos.medicationCourses.list(participant: "p-1").first?.value == after.value)
        }
    }

    @Test("safety alerts: raised, listed open by site, acknowledged", arguments: TestDatabase.urls)
    func safetyAlerts(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let alert = SafetyAlertRecord(id: "sa-1", participantID: "p-1", ruleID: "tg-over-500", action: .holdDrug,
                                          message: "Triglycerides above 500 mg/dL", raisedAt: Fixture.instant)
            _ = try await repos.safetyAlerts.create(alert, context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await repos.safetyAlerts.listOpen(sites: ["site-a"]).map(\.value.id) == ["sa-1"])
            #expect(try await repos.safetyAlerts.listOpen(sites: ["site-b"]).isEmpty)
            var acknowledged = alert
            acknowledged.status = .acknowledged
            acknowledged.acknowledgedBy = Actor(userID: "u-inv", role: "investigator")
            acknowledged.acknowledgedAt = Fixture.instant
            _ = try await repos.safetyAlerts.update(acknowledged, expectedVersion: 1, context: Fixture.editing("reviewed, treatment held"))
            #expect(try await repos.safetyAlerts.listOpen(sites: nil).isEmpty)
        }
    }
}

@Suite("Data queries", .serialized)
struct DataQueryRepositoryTests {
    @Test("a query is raised, answered without a reason for change, and listed per participant", arguments: TestDatabase.urls)
    func queries(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let query = DataQuery(id: "q-1", participantID: "p-1", recordKind: "observations", recordID: "o-1", question: "Unit?",
                                  raisedBy: Actor(userID: "u-mon", role: "monitor"), raisedAt: Fixture.instant)
            _ = try await repos.queries.create(query, context: Fixture.coordinator, idempotencyKey: nil)
            var answered = query
            answered.answer = "mg/dL"
            answered.status = .answered
            _ = try await repos.queries.update(answered, expectedVersion: 1, context: Fixture.coordinator)
            #expect(try await repos.queries.list(participant: "p-1").map(\.value) == [answered])
        }
    }
}
