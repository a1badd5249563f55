/// The minimum centrifugation after which an empty pellet counts as confirmed azoospermia.
///
/// Default 1,000 × g for 15 minutes: the minimum Corea et al. 2005 cite (REFERENCE.md B3, C) — at ≥1,000 g
/// any sperm in the seminal plasma also appear in the pellet. The WHO manual's 3,000 g × 15 min is recalled,
/// not confirmed (U), so it is not the default; a laboratory that spins harder simply passes. Both numbers
/// are configurable per protocol or laboratory.
public struct CentrifugationRequirement: Codable, Sendable, Equatable, Hashable {
    /// Inclusive: a spin at exactly this force passes ("≥1,000 g").
    public var minimumG: Double
    /// Inclusive: exactly this many minutes passes ("for 15 min").
    public var minimumMinutes: Double

    public init(minimumG: Double, minimumMinutes: Double) {
        self.minimumG = minimumG
        self.minimumMinutes = minimumMinutes
    }

    /// REFERENCE.md B3 (Corea 2005): ≥1,000 g for 15 min.
    public static let corea2005 = CentrifugationRequirement(minimumG: 1000, minimumMinutes: 15)

    public var text: String { "≥\(NumberText.plain(minimumG)) g for ≥\(NumberText.plain(minimumMinutes)) min" }

    /// nil when the pellet examination confirms an empty ejaculate; otherwise the reason it does not.
    public func shortfall(of pellet: PelletExamination?) -> String? {
        guard let pellet, pellet.examined else {
            return "pellet not examined after centrifugation (needs \(text))"
        }
        guard let g = pellet.centrifugationG, let minutes = pellet.centrifugationMinutes else {
            return "centrifugation force and duration not recorded (needs \(text))"
        }
        if g < minimumG || minutes < minimumMinutes {
            return "centrifuged at \(NumberText.plain(g)) g for \(NumberText.plain(minutes)) min, below \(text)"
        }
        guard pellet.finding != nil else { return "pellet finding not recorded" }
        return nil
    }
}
