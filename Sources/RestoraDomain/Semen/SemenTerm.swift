/// WHO semen nomenclature (REFERENCE.md B2). The descriptive terms (oligo-, astheno-, terato-, necro-)
/// combine into one word; the absence terms (aspermia, azoospermia, cryptozoospermia) stand alone.
public enum SemenTerm: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// No ejaculate.
    case aspermia
    /// No spermatozoa in the ejaculate (confirmed only after pellet examination; see `AzoospermiaStatus`).
    case azoospermia
    /// None in the fresh preparation but present in the centrifuged pellet.
    case cryptozoospermia
    /// Total sperm number below the LRL.
    case oligozoospermia
    /// Progressive motility (PR) below the LRL.
    case asthenozoospermia
    /// Normal forms below the LRL.
    case teratozoospermia
    /// Vitality (live %) below the LRL.
    case necrozoospermia
    /// Total number, PR motility and normal forms all at or above the LRLs.
    case normozoospermia

    /// The prefix used when terms combine ("oligo" + "astheno" + "terato" + "zoospermia").
    var combiningPrefix: String? {
        switch self {
        case .oligozoospermia: "oligo"
        case .asthenozoospermia: "astheno"
        case .teratozoospermia: "terato"
        case .necrozoospermia: "necro"
        default: nil
        }
    }

    /// Joins descriptive terms in the conventional order, e.g. [.terato, .oligo, .astheno] →
    /// "oligoasthenoteratozoospermia". Necro- comes last, as in "asthenonecrozoospermia".
    public static func combinedName(_ terms: [SemenTerm]) -> String? {
        let order: [SemenTerm] = [.oligozoospermia, .asthenozoospermia, .teratozoospermia, .necrozoospermia]
        let prefixes = order.filter(terms.contains).compactMap(\.combiningPrefix)
        if !prefixes.isEmpty { return prefixes.joined() + "zoospermia" }
        return terms.first?.rawValue
    }
}
