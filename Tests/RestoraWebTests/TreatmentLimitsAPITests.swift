import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Issue #14 item 3: procedures and prescriptions outside the protocol's intervention are refused with the
/// rule named (422 `protocol_rule`, `details.path` and `details.rule`), nothing written — unless an
/// investigator signs a protocol deviation, which is stored with the record in the same transaction.
@Suite("Treatment limits from the protocol")
struct TreatmentLimitsAPITests {
    static let performed = #""performed":"2025-12-30T08:00:00Z""#

    /// p-a enrolled in the stem-cell azoospermia program ("prog-cell", asc-azoospermia) and, unless
    /// `isotretinoinStatus` is nil, in the isotretinoin program ("prog-1") up to that status.
    static func enrol(
        _ h: WebHarness, cell: EnrolmentStatus = .enrolled, isotretinoin: EnrolmentStatus? = .enrolled, cellProtocol: String = "asc-azoospermia"
    ) async throws {
        let repos = h.database.repositories
        _ = try await repos.programs.create(
            Program(id: "prog-cell", protocolID: cellProtocol, protocolVersion: "1.0", name: "Stem cells", siteIDs: ["site-a"]),
            context: WebHarness.setup, idempotencyKey: nil)
        var plans: [(Identifier<Enrolment>, Identifier<Program>, EnrolmentStatus)] = [("e-cell", "prog-cell", cell)]
        if let isotretinoin { plans.append(("e-iso", "prog-1", isotretinoin)) }
        for (id, program, status) in plans {
            var version = try await repos.enrolments.create(
                Enrolment(id: id, participantID: "p-a", programID: program, siteID: "site-a"), context: WebHarness.setup, idempotencyKey: nil).version
            let path: [EnrolmentStatus] = [.screening, .eligible, .consented, .enrolled, .onTreatment, .followUp]
            for (step, next) in path.prefix(through: path.firstIndex(of: status) ?? -1).enumerated() {
                version = try await repos.enrolments.transition(id, to: next, at: WebHarness.now.addingTimeInterval(Double(step - 90) * 86_400),
                                                                expectedVersion: version, context: Self.moved).version
            }
        }
    }

    static let moved = AuditContext(actor: WebHarness.setup.actor, requestID: "setup", reason: "test set-up")

    static func auditEntries(_ h: WebHarness) async throws -> Int {
        guard case let .intact(entries) = try await h.database.repositories.audit.verify() else { return -1 }
        return entries
    }

    /// POSTs `body`, expects 422 protocol_rule on `path` with a rule containing `rule`; nothing written.
    static func refusedByRule(
        _ h: WebHarness, _ client: some TestClientProtocol, _ uri: String, _ body: String, path: String, rule: String,
        role: UserRole = .investigator, count: @Sendable () async throws -> Int
    ) async throws {
        let before = (try await count(), try await auditEntries(h))
        try await client.execute(uri: uri, method: .post, headers: h.headers(role), body: ByteBuffer(json: body)) { r in
            #expect(r.status == .unprocessableContent, "\(body)")
            let error = decoded(ErrorJSON.self, r.body)?.error
            #expect(error?.code == "protocol_rule", "\(body)")
            #expect(error?.details["path"] == path, "\(body)")
            #expect(error?.details["rule"]?.contains(rule) == true, "\(error?.details["rule"] ?? "no rule") should name \(rule)")
        }
        #expect(try await count() == before.0, "nothing stored for \(body)")
        #expect(try await auditEntries(h) == before.1, "no audit entry for \(body)")
    }

    static let injection = #"{"kind":"injection","enrolmentID":"e-cell","performed":"2025-12-30T08:00:00Z","anatomicalSite":"left testis","volumeML":4,"imagingGuidance":"ultrasound","anaesthesia":"local"}"#

    @Test("an injection within the protocol is stored; the issue's 12 mL into the right knee under fluoroscopy without anaesthesia is refused, lot untouched")
    func issueExample() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            _ = try await repos.cellProducts.create(
                CellProduct(id: "cp-1", lot: "LOT-1", participantID: "p-a", enrolmentID: "e-cell", sourceTissue: "bone-marrow-aspirate", releaseStatus: .released),
                context: WebHarness.setup, idempotencyKey: nil)
            let procedures: @Sendable () async throws -> Int = { try await repos.procedures.list(participant: "p-a").count }
            let knee = #"{"kind":"injection","enrolmentID":"e-cell",\#(Self.performed),"cellProductID":"cp-1","anatomicalSite":"right knee","volumeML":12,"imagingGuidance":"fluoroscopy","anaesthesia":"none"}"#
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/procedures", knee, path: "anatomicalSite",
                                         rule: "intervention intratesticular-injection (Injection into the testis", count: procedures)
            #expect(try await repos.cellProducts.get("cp-1").value.releaseStatus == .released)
            let good = Self.injection.replacingOccurrences(of: #""volumeML":4"#, with: #""volumeML":4,"cellProductID":"cp-1""#)
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: good)) { r in
                #expect(r.status == .created)
            }
            #expect(try await repos.cellProducts.get("cp-1").value.releaseStatus == .administered)
        }
    }

    @Test("each procedure limit is its own rule: site, volume, guidance, anaesthesia, harvested tissue", arguments: [
        (#""anatomicalSite":"left testis""#, #""anatomicalSite":"right knee""#, "anatomicalSite", "site left testis or right testis"),
        (#""volumeML":4"#, #""volumeML":12"#, "volumeML", "volume ≤ 5 mL"),
        (#""imagingGuidance":"ultrasound""#, #""imagingGuidance":"fluoroscopy""#, "imagingGuidance", "guidance ultrasound or none"),
        (#""anaesthesia":"local""#, #""anaesthesia":"none""#, "anaesthesia", "anaesthesia local or sedation or general"),
        (#""anaesthesia":"local""#, "\"note\":\"anaesthesia not recorded\"", "anaesthesia", "anaesthesia local or sedation or general"),
    ])
    func procedureLimits(_ change: (String, String, String, String)) async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            let body = Self.injection.replacingOccurrences(of: change.0, with: change.1)
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/procedures", body, path: change.2,
                                         rule: "intervention intratesticular-injection (Injection into the testis (seminiferous tubules or interstitium)): \(change.3)",
                                         role: .coordinator, count: { try await repos.procedures.list(participant: "p-a").count })
        }
    }

    @Test("a harvest of a tissue the protocol does not name, or over 60 mL, is refused; a processing step has no limits")
    func harvestLimits() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            let count: @Sendable () async throws -> Int = { try await repos.procedures.list(participant: "p-a").count }
            let harvest = #"{"kind":"tissue-harvest","enrolmentID":"e-cell",\#(Self.performed),"anatomicalSite":"posterior iliac crest","sourceTissue":"bone-marrow-aspirate","volumeML":60,"anaesthesia":"local"}"#
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/procedures", harvest.replacingOccurrences(of: "bone-marrow-aspirate", with: "peripheral-blood"),
                                         path: "sourceTissue", rule: "tissue bone-marrow-aspirate or adipose-lipoaspirate", role: .coordinator, count: count)
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/procedures", harvest.replacingOccurrences(of: #""volumeML":60"#, with: #""volumeML":60.5"#),
                                         path: "volumeML", rule: "volume ≤ 60 mL", role: .coordinator, count: count)
            for body in [harvest, #"{"kind":"cell-processing","enrolmentID":"e-cell",\#(Self.performed)}"#] {
                try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .created, "\(body)")
                }
            }
        }
    }

    @Test("a treatment step needs an enrolment in a treatment state: none named is 422 invalid_value, a consented one is a protocol rule")
    func enrolmentState() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h, cell: .consented)
            let repos = h.database.repositories
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: Self.injection.replacingOccurrences(of: #""enrolmentID":"e-cell","#, with: ""))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "enrolmentID")
            }
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/procedures", Self.injection, path: "enrolmentID",
                                         rule: "protocol asc-azoospermia: treatment steps while enrolled, on-treatment or follow-up", role: .coordinator,
                                         count: { try await repos.procedures.list(participant: "p-a").count })
            // A biopsy is no intervention step: it is recorded whatever the enrolment.
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"kind":"biopsy","enrolmentID":"e-cell",\#(Self.performed)}"#)) { r in
                #expect(r.status == .created)
            }
        }
    }

    @Test("an investigator's deviation lets the procedure through with one signed deviation per rule; a coordinator's is 403, nothing written")
    func procedureDeviation() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            let body = Self.injection.replacingOccurrences(of: #""volumeML":4"#, with: #""volumeML":6"#)
                .replacingOccurrences(of: #""anaesthesia":"local""#, with: #""anaesthesia":"none","deviation":{"category":"procedure","reason":"participant declined local anaesthesia; 6 mL drawn up"}"#)
            let audit = try await Self.auditEntries(h)
            try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .forbidden)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["rule"] == RoleRefusal.deviationSigner)
            }
            #expect(try await repos.procedures.list(participant: "p-a").isEmpty)
            #expect(try await Self.auditEntries(h) == audit)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/procedures", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body).id
            }
            let deviations = try await repos.deviations.list(participant: "p-a").map(\.value).sorted { $0.id.rawValue < $1.id.rawValue }
            #expect(deviations.map(\.field) == ["volumeML", "anaesthesia"])
            #expect(deviations.allSatisfy { $0.recordID == id && $0.recordKind == "procedures" && $0.enrolmentID == "e-cell" })
            #expect(deviations.allSatisfy { $0.signedBy.userID == "u-investigator" && $0.signedAt == WebHarness.now && $0.protocolID == "asc-azoospermia" })
            #expect(deviations.first?.rule == "intervention intratesticular-injection (Injection into the testis (seminiferous tubules or interstitium)): volume ≤ 5 mL")
            #expect(deviations.first?.reason == "participant declined local anaesthesia; 6 mL drawn up")
        }
    }

    // MARK: Prescribing

    static let course = #"{"enrolmentID":"e-iso","drug":{"system":"rxnorm","code":"6064","display":"isotretinoin"},"dose":{"value":20,"unit":"mg"},"route":"oral","timesPerDay":2,"start":"2025-12-01"}"#

    @Test("the issue's prescription: isotretinoin 200 mg four times a day by a coordinator for a participant not enrolled")
    func issuePrescription() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h, isotretinoin: .consented)
            let repos = h.database.repositories
            let count: @Sendable () async throws -> Int = { try await repos.medicationCourses.list(participant: "p-a").count }
            let body = Self.course.replacingOccurrences(of: #""value":20"#, with: #""value":200"#).replacingOccurrences(of: #""timesPerDay":2"#, with: #""timesPerDay":4"#)
            let audit = try await Self.auditEntries(h)
            try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.coordinator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .forbidden)
                let error = decoded(ErrorJSON.self, r.body)?.error
                #expect(error?.details["rule"] == MedicationEntry.prescriberRule)
                #expect(error?.message.contains("only an investigator may prescribe") == true)
            }
            #expect(try await Self.auditEntries(h) == audit)
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/medication-courses", body, path: "enrolmentID",
                                         rule: "protocol isotretinoin-noa: a course starts once enrolled", count: count)
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/medication-courses", Self.course, path: "enrolmentID",
                                         rule: "a course starts once enrolled", count: count)
        }
    }

    @Test("each regimen limit is its own rule: drug, dose (unit-aware), route, frequency, duration", arguments: [
        (#""code":"6064","display":"isotretinoin""#, #""code":"46041","display":"alitretinoin""#, "drug", "drug isotretinoin (rxnorm 6064)"),
        (#""value":20,"unit":"mg""#, #""value":200,"unit":"mg""#, "dose", "dose 20 mg"),
        (#""value":20,"unit":"mg""#, #""value":0.2,"unit":"g""#, "dose", "dose 20 mg"),
        (#""value":20,"unit":"mg""#, #""value":20,"unit":"mL""#, "dose", "dose 20 mg"),
        (#""route":"oral""#, #""route":"intravenous""#, "route", "route oral"),
        (#""timesPerDay":2"#, #""timesPerDay":4"#, "dosesPerPeriod", "frequency twice a day"),
        (#""timesPerDay":2"#, #""dosesPerPeriod":2,"period":"week""#, "dosesPerPeriod", "frequency twice a day"),
        (#""start":"2025-12-01""#, #""start":"2025-12-01","plannedStop":"2026-06-01""#, "plannedStop", "duration 26 weeks"),
    ])
    func regimenLimits(_ change: (String, String, String, String)) async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            try await Self.refusedByRule(h, client, "/api/v1/participants/p-a/medication-courses", Self.course.replacingOccurrences(of: change.0, with: change.1),
                                         path: change.2, rule: "intervention isotretinoin-course (Isotretinoin 20 mg by mouth twice daily): \(change.3)",
                                         count: { try await repos.medicationCourses.list(participant: "p-a").count })
        }
    }

    @Test("within the regimen: stored with the planned stop of 26 weeks; 0.02 g is 20 mg and PO is oral; a course names its enrolment")
    func withinRegimen() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let body = Self.course.replacingOccurrences(of: #""value":20,"unit":"mg""#, with: #""value":0.02,"unit":"g""#).replacingOccurrences(of: #""oral""#, with: #""PO""#)
            try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
            }
            let course = try #require(try await h.database.repositories.medicationCourses.list(participant: "p-a").first?.value)
            #expect(course.plannedStop == CalendarDate(year: 2026, month: 5, day: 31))
            #expect(course.frequency == .daily(2))
            try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator),
                                     body: ByteBuffer(json: Self.course.replacingOccurrences(of: #""enrolmentID":"e-iso","#, with: ""))) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "enrolmentID")
            }
        }
    }

    @Test("an investigator's deviation stores the course with its deviations in one transaction")
    func courseDeviation() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let repos = h.database.repositories
            let body = Self.course.replacingOccurrences(of: #""timesPerDay":2"#, with: #""timesPerDay":1,"deviation":{"category":"treatment","reason":"dose halved after grade 2 dry skin"}"#)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body).id
            }
            let deviations = try await repos.deviations.list(participant: "p-a").map(\.value)
            #expect(deviations.count == 1)
            #expect(deviations.first?.rule == "intervention isotretinoin-course (Isotretinoin 20 mg by mouth twice daily): frequency twice a day")
            #expect(deviations.first?.recordID == id)
            #expect(deviations.first?.category == .treatment)
            #expect(try await repos.medicationCourses.get(Identifier(id)).value.frequency == .daily(1))
        }
    }

    // MARK: Dispensing, returns, status

    @Test("returned units are counted once; adherence follows; a course is held and stopped by an investigator only")
    func returnsAndStatus() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: Self.course)) { r in
                try decode(RecordJSON.self, r.body).id
            }
            let base = "/api/v1/medication-courses/\(id)"
            try await client.execute(uri: base + "/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":200,"daysCovered":30}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "unitsDispensed")
            }
            try await client.execute(uri: base + "/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":60,"daysCovered":30}"#)) { r in
                #expect(r.status == .ok)
            }
            for number in ["0", "-9223372036854775808", "2"] {
                try await client.execute(uri: base + "/returns", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                         body: ByteBuffer(json: #"{"dispensing":\#(number),"unitsReturned":1}"#)) { r in
                    #expect(r.status == .unprocessableContent, "dispensing \(number)")
                    #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "dispensing")
                }
            }
            try await client.execute(uri: base + "/returns", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"dispensing":1,"unitsReturned":61}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(decoded(ErrorJSON.self, r.body)?.error.details["path"] == "unitsReturned")
            }
            try await client.execute(uri: base + "/returns", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"dispensing":1,"unitsReturned":6}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: base + "/returns", method: .post, headers: h.headers(.coordinator, ifMatch: "\"3\""),
                                     body: ByteBuffer(json: #"{"dispensing":1,"unitsReturned":5}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            let stored = try await h.database.repositories.medicationCourses.get(Identifier(id))
            #expect(stored.value.dispensings.first?.unitsReturned == 6)
            #expect(stored.value.adherence == 0.9)
            let history = try await h.database.repositories.audit.history(table: "medication_dispensings", recordID: "\(id):0")
            #expect(history.map(\.action) == [.create, .update])
            try await client.execute(uri: base + "/status", method: .post, headers: h.headers(.coordinator, ifMatch: "\"3\""),
                                     body: ByteBuffer(json: #"{"status":"held","date":"2025-12-20","reason":"triglycerides 600 mg/dL"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: base + "/status", method: .post, headers: h.headers(.investigator, ifMatch: "\"3\""),
                                     body: ByteBuffer(json: #"{"status":"held","date":"2025-12-20","reason":"triglycerides 600 mg/dL"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(RecordJSON.self, r.body)?.status == "held")
            }
            try await client.execute(uri: base + "/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"4\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-31","unitsDispensed":60,"daysCovered":30}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: base + "/status", method: .post, headers: h.headers(.investigator, ifMatch: "\"4\""),
                                     body: ByteBuffer(json: #"{"status":"stopped","date":"2025-12-22","reason":"persistent hypertriglyceridaemia"}"#)) { r in
                #expect(r.status == .ok)
            }
            let final = try await h.database.repositories.medicationCourses.get(Identifier(id)).value
            #expect(final.status == .stopped && final.stop == CalendarDate(year: 2025, month: 12, day: 22))
        }
    }

    @Test("a weekly course end to end: stored as once a week (with the investigator's deviation from the daily regimen), 4 units for 28 days, 1 back: 75 %")
    func weeklyCourse() async throws {
        try await WebHarness.with { h, client in
            try await Self.enrol(h)
            let body = Self.course.replacingOccurrences(of: #""timesPerDay":2"#, with: #""dosesPerPeriod":1,"period":"week","deviation":{"category":"treatment","reason":"weekly dosing trial of the investigator"}"#)
            let id = try await client.execute(uri: "/api/v1/participants/p-a/medication-courses", method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: body)) { r in
                #expect(r.status == .created)
                #expect(String(buffer: r.body).contains(#""period":"week""#))
                #expect(!String(buffer: r.body).contains("timesPerDay"))
                return try decode(RecordJSON.self, r.body).id
            }
            let base = "/api/v1/medication-courses/\(id)"
            try await client.execute(uri: base + "/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":9,"daysCovered":28}"#)) { r in
                #expect(r.status == .unprocessableContent)   // more than two units a dose of 4 weekly doses
            }
            try await client.execute(uri: base + "/dispensings", method: .post, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"date":"2025-12-01","unitsDispensed":4,"daysCovered":28}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: base + "/returns", method: .post, headers: h.headers(.coordinator, ifMatch: "\"2\""),
                                     body: ByteBuffer(json: #"{"dispensing":1,"unitsReturned":1}"#)) { r in
                #expect(r.status == .ok)
            }
            let course = try await h.database.repositories.medicationCourses.get(Identifier(id)).value
            #expect(course.frequency == .weekly(1))
            #expect(course.adherence == 0.75)
        }
    }
}
