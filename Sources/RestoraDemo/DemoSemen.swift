import Foundation
import RestoraDomain

/// What a generated semen analysis is meant to show. The generator builds the measurements, lets the
/// domain's WHO classifier judge them (REFERENCE.md B1–B3) and refuses to continue if the classifier
/// disagrees, so the demo can never contain a sample whose label contradicts its numbers.
enum DemoSemenFinding: Equatable {
    /// Nothing in the fresh preparation or the centrifuged pellet.
    case azoospermia
    /// Nothing fresh; non-motile sperm in the pellet (cryptozoospermia without a response).
    case cryptozoospermiaNonMotile
    /// Nothing fresh; motile sperm in the pellet: cryptozoospermia that counts as motile sperm in the ejaculate.
    case cryptozoospermiaMotile
    /// Sperm in the fresh preparation (concentration 10^6/mL, total motility %).
    case fresh(concentration: Double, motility: Double)

    var intendedTerm: SemenTerm? {
        switch self {
        case .azoospermia: .azoospermia
        case .cryptozoospermiaNonMotile, .cryptozoospermiaMotile: .cryptozoospermia
        case .fresh: nil
        }
    }

    var motile: Bool {
        switch self {
        case .azoospermia, .cryptozoospermiaNonMotile: false
        case .cryptozoospermiaMotile: true
        case let .fresh(_, motility): motility > 0
        }
    }
}

extension DemoRecordBuilder {
    /// Records one semen analysis panel (volume, concentration, motility, morphology, classification), with
    /// the specimen's centrifugation and pellet details (1,000 g or more for 15 min: REFERENCE.md B3).
    mutating func semenAnalysis(_ finding: DemoSemenFinding, on date: CalendarDate, visit: Visit?, rng: inout SplitMix64) throws {
        let volume = rng.rounded(1.6...4.2, places: 1)
        var analysis = SemenAnalysis(collected: date, volumeML: volume)
        var pelletFinding: SpecimenDetails.PelletFinding?
        switch finding {
        case .azoospermia: pelletFinding = .noSperm
        case .cryptozoospermiaNonMotile: pelletFinding = .nonMotileSperm
        case .cryptozoospermiaMotile: pelletFinding = .motileSperm
        case let .fresh(concentration, motility):
            analysis.concentrationMillionPerML = concentration
            analysis.totalMotilityPercent = motility
            analysis.progressiveMotilityPercent = DemoNumber.round(motility * rng.double(0.4...0.7), places: 0)
            analysis.normalFormsPercent = rng.rounded(1...5, places: 0)
        }
        let spun = pelletFinding != nil
        let specimen = SpecimenDetails(
            type: "semen", collected: Self.instant(date, hour: 8), centrifuged: spun, centrifugationG: spun ? 3000 : nil,
            centrifugationMinutes: spun ? 15 : nil, pelletExamined: spun ? true : nil, pelletFinding: pelletFinding,
            abstinenceDays: rng.int(2...5), note: DemoLabel.text)
        if spun {
            analysis.concentrationMillionPerML = 0
            analysis.pellet = PelletExamination(specimen: specimen)
        }
        let reading = try analysis.interpret()
        if let intended = finding.intendedTerm, reading.terms != [intended] || reading.azoospermia.map({ !$0.confirmed }) == true {
            throw DemoGenerationError("semen analysis on \(date) meant \(intended.rawValue) but classifies as \(reading.summary ?? "unclassified")")
        }
        if (reading.motileSpermInEjaculate == .present) != finding.motile {
            throw DemoGenerationError("semen analysis on \(date): motile-sperm finding \(reading.motileSpermInEjaculate) contradicts the plan")
        }
        guard let summary = reading.summary else {
            throw DemoGenerationError("semen analysis on \(date) could not be classified: \(reading.cannotClassify.joined(separator: "; "))")
        }
        let panel = nextID("semen")
        func add(_ code: Coding, _ value: Double?, _ unit: String) {
            guard let value else { return }
            observe(code, .quantity(Quantity(value, unit)), on: date, visit: visit, panel: panel, specimen: specimen)
        }
        add(ClinicalCodes.semenVolume, analysis.volumeML, "mL")
        add(ClinicalCodes.spermConcentration, analysis.concentrationMillionPerML, "10*6/mL")
        add(ClinicalCodes.totalMotility, analysis.totalMotilityPercent, "%")
        add(ClinicalCodes.progressiveMotility, analysis.progressiveMotilityPercent, "%")
        add(ClinicalCodes.normalForms, analysis.normalFormsPercent, "%")
        observe(ClinicalCodes.semenClassification, .coded(Coding(.restora, summary, display: summary)), on: date,
                visit: visit, panel: panel, specimen: specimen)
    }
}
