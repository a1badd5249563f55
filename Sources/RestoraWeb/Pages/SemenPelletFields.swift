import Foundation
import RestoraDomain

/// The pellet examination on the semen form (issue #14 item 1): whether the pellet of a centrifuged aliquot
/// was examined, what it held, and the spin (× g, minutes). Azoospermia is confirmed only after an examined
/// pellet spun hard and long enough (REFERENCE.md B2, B3: ≥ 1,000 g for ≥ 15 min, `CentrifugationRequirement`),
/// and the programs' criteria count only analyses with an examined pellet. The form stores the handling on
/// every value's specimen and the analysis's classification (`semen-classification`) as the criteria read it.
enum SemenPellet {
    static let findingLabels: [(SpecimenDetails.PelletFinding, String)] = [
        (.noSperm, "No sperm"), (.nonMotileSperm, "Non-motile sperm only"), (.motileSperm, "Motile sperm"),
    ]

    /// The pellet as entered: nil when not examined (or not said). With "examined", the finding, the force
    /// and the duration are required.
    static func read(_ reader: inout FieldReader) -> PelletExamination? {
        let examined = reader.choice("pelletExamined", required: false, message: "Choose yes or no") { text -> Bool? in
            text == "yes" ? true : text == "no" ? false : nil
        }
        guard examined == true else {
            for field in ["pelletFinding", "centrifugationG", "centrifugationMinutes"] where reader.form[field] != nil {
                reader.fail(field, "Only for an examined pellet: choose \u{201C}yes\u{201D} under Pellet examined, or leave this empty")
            }
            return examined == false ? PelletExamination(examined: false) : nil
        }
        let finding = reader.choice("pelletFinding", message: "Choose what the pellet held") { SpecimenDetails.PelletFinding(rawValue: $0) }
        let g = reader.number("centrifugationG", required: true, range: AllowedRange(lower: 1, upper: 100_000, unit: "× g"))
        let minutes = reader.number("centrifugationMinutes", required: true, range: AllowedRange(lower: 1, upper: 240, unit: "min"))
        return PelletExamination(examined: true, finding: finding, centrifugationG: g, centrifugationMinutes: minutes)
    }

    static func specimen(collected: Date, pellet: PelletExamination?) -> SpecimenDetails {
        guard let pellet else { return SpecimenDetails(type: "semen", collected: collected) }
        return SpecimenDetails(
            type: "semen", collected: collected, centrifuged: pellet.examined ? true : nil, centrifugationG: pellet.centrifugationG,
            centrifugationMinutes: pellet.centrifugationMinutes, pelletExamined: pellet.examined, pelletFinding: pellet.finding)
    }

    /// The analysis's WHO 2021 classification (REFERENCE.md B1) as one coded observation of the panel, when it
    /// classifies: "azoospermia (not confirmed)" — a pellet spun below the minimum — is not stored as
    /// azoospermia, so it cannot count towards the criteria.
    static func classification(_ analysis: SemenAnalysis) -> Coding? {
        guard let reading = try? analysis.interpret(), let summary = reading.summary,
              reading.azoospermia.map({ $0.confirmed }) ?? true, !summary.contains("(") else { return nil }
        return Coding(.restora, summary, display: summary)
    }

    @NodeBuilder static func fields(state: FormState) -> [Node] {
        Forms.select("pelletExamined", label: "Centrifuged pellet examined", options: [("yes", "Yes"), ("no", "No")], state: state,
                     blank: "Not said")
        Forms.select("pelletFinding", label: "Pellet finding", options: findingLabels.map { ($0.0.rawValue, $0.1) }, state: state,
                     blank: "Choose (examined pellet only)")
        EntryPage.numberInput("centrifugationG", label: "Centrifugation force", unit: "× g", state: state,
                              hint: "Azoospermia is confirmed only after \(CentrifugationRequirement.corea2005.text) (REFERENCE.md B3)")
        EntryPage.numberInput("centrifugationMinutes", label: "Centrifugation time", unit: "min", state: state)
    }
}
