/// Which observation codes a CTCAE laboratory term grades, and which lipid conversion a code needs
/// (REFERENCE.md F1). Codes marked U there are included because the grading still needs a ULN the
/// caller supplies; a wrong mapping only means a rule is not evaluated, never a false grade.
public enum CTCAELabCodes {
    public static func term(for coding: Coding) -> CTCAETerm? {
        guard coding.system == .loinc else { return nil }
        switch coding.code {
        case "2571-8", "14927-8": return .hypertriglyceridemia     // F1, C
        case "2093-3": return .cholesterolHigh                     // F1, U
        case "1742-6": return .alanineAminotransferaseIncreased    // F1, C
        case "1920-8": return .aspartateAminotransferaseIncreased  // F1, C
        case "2324-2": return .gammaGlutamylTransferaseIncreased   // F1, C
        case "1975-2": return .bloodBilirubinIncreased             // total bilirubin; not in REFERENCE.md (U)
        case "6768-6": return .alkalinePhosphataseIncreased        // not in REFERENCE.md (U)
        default: return nil
        }
    }

    public static func lipid(for coding: Coding) -> LipidConversion? {
        switch term(for: coding) {
        case .hypertriglyceridemia: .triglyceride
        case .cholesterolHigh: .cholesterol
        default: nil
        }
    }
}
