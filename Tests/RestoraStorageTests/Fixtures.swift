import Foundation
import RestoraDomain
@testable import RestoraStorage

/// Small, valid records to build tests from. Ids are fixed strings so failures are readable.
enum Fixture {
    static let coordinator = AuditContext(actor: Actor(userID: "u-coord", role: "coordinator"), requestID: "req-1")
    static func editing(_ reason: String = "transcription error corrected") -> AuditContext {
        AuditContext(actor: Actor(userID: "u-coord", role: "coordinator"), requestID: "req-2", reason: reason)
    }

    static func site(_ id: String = "site-a", code: String = "A") -> Site {
        Site(id: Identifier(id), code: code, name: "Clinic \(code)", timeZone: "Europe/Paris")
    }

    static func participant(_ id: String = "p-1", site: String = "site-a", mrn: String = "MRN-001",
                            given: String = "Jean", family: String = "Dupont") -> Participant {
        Participant(
            id: Identifier(id), siteID: Identifier(site), mrn: mrn, givenName: given, familyName: family, sex: .male,
            birthDate: CalendarDate(year: 1990, month: 5, day: 17)!,
            diagnoses: [Diagnosis(code: Coding(.icd10cm, "N46.01", display: "Organic azoospermia"))])
    }

    static func program(_ id: String = "prog-1") -> Program {
        Program(id: Identifier(id), protocolID: "ISO-AZO", protocolVersion: "1.0", name: "Isotretinoin for azoospermia",
                siteIDs: ["site-a"])
    }

    static let instant = Date(timeIntervalSince1970: 1_767_312_000)  // 2026-01-02T00:00:00Z

    static func observation(_ id: String = "o-1", participant: String = "p-1", value: Double = 150) -> Observation {
        Observation(
            id: Identifier(id), participantID: Identifier(participant), code: Coding(.loinc, "2571-8", display: "Triglyceride"),
            value: .quantity(Quantity(value, "mg/dL")), effective: instant,
            specimen: SpecimenDetails(type: "serum"))
    }

    static func adverseEvent(_ id: String = "ae-1", participant: String = "p-1") -> AdverseEvent {
        AdverseEvent(id: Identifier(id), participantID: Identifier(participant), term: "Dry skin", grade: 1,
                     expected: true, relatedness: .probable, onset: CalendarDate(year: 2026, month: 1, day: 10)!)
    }

    static func cellProduct(_ id: String = "cp-1", lot: String = "LOT-0001", participant: String = "p-1") -> CellProduct {
        CellProduct(id: Identifier(id), lot: lot, participantID: Identifier(participant), sourceTissue: "bone-marrow-aspirate",
                    totalCells: 5.2e7, releaseTests: ReleaseTestResults(markersPercent: ["CD73": 97.5, "CD45": 1.2]))
    }

    static func course(_ id: String = "mc-1", participant: String = "p-1") -> MedicationCourse {
        MedicationCourse(id: Identifier(id), participantID: Identifier(participant), drug: Coding(.rxnorm, "6064", display: "isotretinoin"),
                         dose: Quantity(20, "mg"), route: "oral", timesPerDay: 2, start: CalendarDate(year: 2026, month: 1, day: 5)!)
    }

    static func procedure(_ id: String = "pr-1", participant: String = "p-1") -> Procedure {
        Procedure(id: Identifier(id), participantID: Identifier(participant), kind: .tissueHarvest, performed: instant,
                  performer: Actor(userID: "u-inv", role: "investigator"), anatomicalSite: "posterior iliac crest",
                  sourceTissue: "bone-marrow-aspirate", volumeML: 60)
    }

    /// A migrated database with site A, site B and participant p-1 at site A.
    static func seed(_ db: StorageDatabase) async throws -> Repositories {
        let repos = db.repositories
        _ = try await repos.sites.create(site(), context: coordinator, idempotencyKey: nil)
        _ = try await repos.sites.create(site("site-b", code: "B"), context: coordinator, idempotencyKey: nil)
        _ = try await repos.participants.create(participant(), context: coordinator, idempotencyKey: nil)
        return repos
    }
}
