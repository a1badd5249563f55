import Foundation
import Testing
@testable import RestoraDomain

@Suite("Semen analysis from LOINC observations (F1)")
struct SemenObservationTests {
    static func obs(_ code: String, _ value: Double, _ unit: String, specimen: SpecimenDetails? = nil) -> Observation {
        Observation(id: Identifier(code), participantID: "p1", panelID: "sa-1", code: Coding(.loinc, code),
                    value: .quantity(Quantity(value, unit)), effective: Date(timeIntervalSince1970: 1_767_225_600),
                    specimen: specimen)
    }

    @Test func panelBecomesAnAnalysis() throws {
        let sample = try SemenAnalysis(observations: [
            Self.obs("3160-9", 2.5, "mL"), Self.obs("9780-8", 12, "10*6/mL"), Self.obs("6800-7", 45, "%"),
            Self.obs("14194-5", 31, "%"), Self.obs("10613-8", 60, "%"), Self.obs("10622-9", 3, "%"),
            Self.obs("2571-8", 150, "mg/dL"),  // not a semen code: ignored
        ])
        #expect(sample.volumeML == 2.5 && sample.concentrationMillionPerML == 12)
        #expect(sample.normalFormsPercent == 3)
        #expect(sample.collected == CalendarDate("2026-01-01"))
        // total 30 < 39 → oligo; normal forms 3 < 4 → terato
        #expect(try sample.interpret().summary == "oligoteratozoospermia")
    }

    @Test func pelletFromSpecimen() throws {
        let specimen = SpecimenDetails(type: "semen", centrifuged: true, centrifugationG: 3000, centrifugationMinutes: 15,
                                       pelletExamined: true, pelletFinding: .noSperm)
        let sample = try SemenAnalysis(observations: [
            Self.obs("3160-9", 3, "mL", specimen: specimen), Self.obs("9780-8", 0, "10*6/mL", specimen: specimen),
        ])
        #expect(try sample.interpret().azoospermia?.confirmed == true)
    }

    @Test func wrongUnitIsRefused() {
        #expect(throws: DomainError.invalidValue(field: "concentration", message: "unknown unit '10*3/mL'; allowed units: 10*6/mL, 10^6/mL, /nL")) {
            try SemenAnalysis(observations: [Self.obs("9780-8", 12000, "10*3/mL")])
        }
    }
}
