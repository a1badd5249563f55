import Foundation
import RestoraDomain
@testable import RestoraWeb
import Testing

/// `restora import fhir` with its Observation lines recorded in batches (`FHIRObservationHandler.createAll` →
/// `ClinicalEntry.recordBatch`, docs/fhir.md "Bulk Data"): refused lines in the middle of a batch are reported
/// with their line, FHIRPath and reason while the others load, and a safety rule fires as it does for
/// `POST /fhir/Observation` — whatever the batch size.
@Suite("FHIR import of Observation batches")
struct FHIRImportBatchTests {
    static func triglyceride(_ patient: String, _ value: Double, unit: String = "mg/dL", day: Int) -> String {
        #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2571-8"}]},"subject":{"reference":"Patient/\#(patient)"},"effectiveDateTime":"2025-12-\#(String(format: "%02d", day))T09:00:00Z","valueQuantity":{"value":\#(value),"unit":"\#(unit)","system":"http://unitsofmeasure.org","code":"\#(unit)"}}"#
    }

    @Test("refused Observations in the middle of a batch (implausible value, unknown patient, wrong unit) are reported with their lines; the others load and a safety rule raises its alert", arguments: [1, 3, 50])
    func refusalsAmongGoodLines(batchSize: Int) async throws {
        try await FHIRBulkTests.with { h, _, folder in
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("obs.ndjson")
            let lines = [
                Self.triglyceride("p-a", 150, day: 1),
                Self.triglyceride("p-a", 99_000, day: 2),
                Self.triglyceride("p-nobody", 150, day: 3),
                Self.triglyceride("p-a", 150, unit: "kg", day: 4),
                Self.triglyceride("p-a", 600, day: 5),
            ]
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let admin = try await h.database.repositories.users.get(username: "admin").value
            let dependencies = WebDependencies(repositories: h.database.repositories, clock: FixedClock(WebHarness.now), logger: .init(label: "t"),
                                               catalog: try WebHarness.catalog())
            let summary = try await FHIRBulkImport(dependencies: dependencies, user: admin, audit: WebHarness.setup, batchSize: batchSize)
                .load(path: file.path)
            #expect(summary.loaded == ["Observation": 2])
            #expect(summary.refusals.map(\.line) == [2, 3, 4])
            #expect(summary.refusals.map(\.path) == ["Observation.valueQuantity.value", "Observation.subject", "Observation.valueQuantity.code"])
            #expect(summary.refusals[1].reason == "Patient/p-nobody is not known")
            let stored = try await h.database.repositories.observations.list(participant: "p-a")
            #expect(stored.compactMap(\.value.value.quantity?.value).sorted() == [150, 600])
            let alerts = try await h.database.repositories.safetyAlerts.list(participant: "p-a").map(\.value)
            #expect(alerts.map(\.ruleID) == ["tg-grade3-hold"])
            #expect(alerts.first?.observationID == stored.first { $0.value.value.quantity?.value == 600 }?.value.id)
            guard case .intact = try await h.database.repositories.audit.verify() else {
                Issue.record("the audit chain is not intact")
                return
            }
        }
    }
}
