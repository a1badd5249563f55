import Testing
@testable import RestoraDomain

@Suite("Semen refusals, two-sample azoospermia diagnosis, response rule")
struct SemenRefusalAndDiagnosisTests {
    /// Impossible input is refused with the field and the allowed range in the message.
    @Test(arguments: [
        (SemenAnalysis(concentrationMillionPerML: -1), "concentration", "≥ 0"),
        (SemenAnalysis(volumeML: -0.5), "volume", "≥ 0 mL"),
        (SemenAnalysis(totalMotilityPercent: 101), "totalMotility", "0–100 %"),
        (SemenAnalysis(progressiveMotilityPercent: -1), "progressiveMotility", "0–100 %"),
        (SemenAnalysis(vitalityPercent: 100.5), "vitality", "0–100 %"),
        (SemenAnalysis(normalFormsPercent: 200), "normalForms", "0–100 %"),
        (SemenAnalysis(totalCountMillion: -3), "totalCount", "≥ 0"),
        (SemenAnalysis(volumeML: .nan), "volume", "finite"),
        (SemenAnalysis(concentrationMillionPerML: .infinity), "concentration", "finite"),
        (SemenAnalysis(totalMotilityPercent: 40, progressiveMotilityPercent: 45), "progressiveMotility", "not above totalMotility"),
        (SemenAnalysis(concentrationMillionPerML: 0, pellet: PelletExamination(examined: true, centrifugationG: 0)),
         "pellet.centrifugationG", "> 0 × g"),
    ])
    func refusesImpossibleValues(sample: SemenAnalysis, field: String, fragment: String) {
        do {
            _ = try sample.interpret()
            Issue.record("expected a refusal for \(field)")
        } catch let DomainError.invalidValue(f, message) {
            #expect(f == field)
            #expect(message.contains(fragment), "\(message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    static func azoospermic(_ date: String, g: Double = 3000, minutes: Double = 15, examined: Bool = true) -> SemenAnalysis {
        SemenAnalysis(
            collected: CalendarDate(date), volumeML: 2.5, concentrationMillionPerML: 0,
            pellet: PelletExamination(examined: examined, finding: examined ? .noSperm : nil,
                                      centrifugationG: g, centrifugationMinutes: minutes))
    }

    @Test func twoConfirmedSamplesAWeekApartConfirmTheDiagnosis() throws {
        let result = try AzoospermiaDiagnosis.evaluate([Self.azoospermic("2026-01-01"), Self.azoospermic("2026-01-08")])
        #expect(result.status == .confirmed)
        #expect(result.confirmedSamples == 2)
    }

    @Test(arguments: [("2026-01-07", AzoospermiaDiagnosis.Status.notConfirmed), ("2026-01-08", .confirmed), ("2026-01-09", .confirmed)])
    func intervalBoundaryIsInclusive(second: String, status: AzoospermiaDiagnosis.Status) throws {
        let result = try AzoospermiaDiagnosis.evaluate([Self.azoospermic("2026-01-01"), Self.azoospermic(second)])
        #expect(result.status == status)
    }

    @Test func oneSampleIsNotEnough() throws {
        let result = try AzoospermiaDiagnosis.evaluate([Self.azoospermic("2026-01-01")])
        #expect(result.status == .notConfirmed)
        #expect(result.reasons.first == "1 of 2 required samples confirm azoospermia")
    }

    @Test func samplesWithoutPelletExaminationDoNotCount() throws {
        let result = try AzoospermiaDiagnosis.evaluate([
            Self.azoospermic("2026-01-01", examined: false), Self.azoospermic("2026-01-15", examined: false),
        ])
        #expect(result.status == .notConfirmed)
        #expect(result.confirmedSamples == 0)
        #expect(result.reasons.contains { $0.contains("pellet not examined") })
    }

    @Test func underSpunSampleDoesNotCount() throws {
        let result = try AzoospermiaDiagnosis.evaluate([
            Self.azoospermic("2026-01-01"), Self.azoospermic("2026-01-15", g: 500, minutes: 15),
        ])
        #expect(result.status == .notConfirmed)
        #expect(result.confirmedSamples == 1)
    }

    @Test func spermInAnySampleExcludesAzoospermia() throws {
        let crypto = SemenAnalysis(
            collected: CalendarDate("2026-01-15"), volumeML: 2, concentrationMillionPerML: 0,
            pellet: PelletExamination(examined: true, finding: .nonMotileSperm, centrifugationG: 3000, centrifugationMinutes: 15))
        let result = try AzoospermiaDiagnosis.evaluate([Self.azoospermic("2026-01-01"), crypto])
        #expect(result.status == .excluded)
        let present = SemenAnalysis(volumeML: 2, concentrationMillionPerML: 0.5)
        #expect(try AzoospermiaDiagnosis.evaluate([present]).status == .excluded)
    }

    @Test func missingDatesBlockTheIntervalCheck() throws {
        var a = Self.azoospermic("2026-01-01")
        a.collected = nil
        let result = try AzoospermiaDiagnosis.evaluate([a, Self.azoospermic("2026-02-01")])
        #expect(result.status == .notConfirmed)
        #expect(result.reasons.first?.contains("needs the collection date") == true)
    }

    /// The programs' response rule: motile sperm in the ejaculate (REFERENCE.md A1, A2).
    @Test(arguments: [
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 1, totalMotilityPercent: 10), MotileSpermFinding.present),
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 1, totalMotilityPercent: 0), .absent),
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 1), .cannotDetermine),
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 0), .cannotDetermine),
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 0, pellet: PelletExamination(examined: true, finding: .motileSperm)), .present),
        (SemenAnalysis(volumeML: 2, concentrationMillionPerML: 0, pellet: PelletExamination(examined: true, finding: .noSperm)), .absent),
        (SemenAnalysis(volumeML: 0), .absent),
        (SemenAnalysis(volumeML: 2), .cannotDetermine),
    ])
    func motileSpermInEjaculate(sample: SemenAnalysis, expected: MotileSpermFinding) {
        #expect(sample.motileSpermInEjaculate == expected)
    }
}
