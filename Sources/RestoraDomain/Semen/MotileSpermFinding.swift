/// The programs' response definition: motile sperm in the ejaculate (REFERENCE.md A1 primary endpoint
/// "reliable, motile ejaculated sperm"; A2 RA-4 "detectable vs undetectable sperm in the ejaculate").
/// Judged per sample; "reliable" across visits is for the report to judge over several samples.
public enum MotileSpermFinding: String, Codable, Sendable, Equatable {
    case present
    case absent
    case cannotDetermine

    /// Motile sperm were seen in the fresh preparation (concentration > 0 and PR+NP > 0) or in the
    /// centrifuged pellet. Sperm seen without a motility reading stay undetermined — never assumed motile.
    public static func evaluate(_ analysis: SemenAnalysis) -> (finding: MotileSpermFinding, needs: String?) {
        if analysis.pellet?.finding == .motileSperm { return (.present, nil) }
        if analysis.volumeML == 0 { return (.absent, nil) }
        guard let concentration = analysis.concentrationMillionPerML else {
            return (.cannotDetermine, "sperm concentration")
        }
        if concentration > 0 {
            guard let motility = analysis.totalMotilityPercent else {
                return (.cannotDetermine, "total motility")
            }
            if motility > 0 { return (.present, nil) }
            // Sperm but none motile in the fresh preparation; a pellet may still show motile ones.
            return (.absent, nil)
        }
        // None in the fresh preparation: only an examined pellet can tell.
        guard let pellet = analysis.pellet, pellet.examined, let finding = pellet.finding else {
            return (.cannotDetermine, "examination of the centrifuged pellet")
        }
        return (finding == .motileSperm ? .present : .absent, nil)
    }
}

extension SemenAnalysis {
    /// The response rule reports use: are motile sperm present in this ejaculate?
    public var motileSpermInEjaculate: MotileSpermFinding { MotileSpermFinding.evaluate(self).finding }
}
