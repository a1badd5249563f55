import Foundation

/// What the protocol's interventions allow a procedure (issue #14 "The protocol decides"): the site, the
/// volume, the imaging guidance, the anaesthesia and the tissue harvested, each against the `ProcedureStep`
/// of the program's protocol. Pure: `CellTherapyEntry` finds the intervention (enrolment → program →
/// protocol) and decides what to do with the violations (refuse, or store them as signed deviations).
///
/// Decisions (README "Decisions", docs/treatment.md):
/// - A tissue harvest is judged against the `harvest` step, a cell processing against `processing`, an
///   injection against `injection`; sperm retrievals, biopsies and other procedures are no intervention of the
///   three programs and are not judged.
/// - Where the step lists allowed values for a field, the value must be recorded and be one of them: a
///   procedure whose guidance or anaesthesia is not recorded cannot be shown to follow the protocol.
/// - A volume range of the step needs the volume recorded and inside it (inclusive).
/// - Sites: see `siteMatches`.
public enum InterventionLimits {
    /// The protocol step a procedure kind is judged against; nil for kinds no protocol intervention covers.
    public static func step(for kind: Procedure.Kind) -> ProcedureStep.Step? {
        switch kind {
        case .tissueHarvest: .harvest
        case .cellProcessing: .processing
        case .injection: .injection
        case .spermRetrieval, .biopsy, .other: nil
        }
    }

    /// The interventions an enrolment receives: its arm's, or every intervention when the enrolment names no
    /// arm (or an arm the protocol does not have).
    public static func interventions(of definition: ProtocolDefinition, arm: String?) -> [Intervention] {
        guard let arm, let listed = definition.arms.first(where: { $0.id == arm }) else { return definition.interventions }
        return definition.interventions.filter { listed.interventions.contains($0.id) }
    }

    /// The procedure intervention of `step` for the enrolment, if the protocol has one.
    public static func intervention(_ step: ProcedureStep.Step, in definition: ProtocolDefinition, arm: String?) -> (Intervention, ProcedureStep)? {
        for intervention in interventions(of: definition, arm: arm) {
            if case let .procedure(candidate) = intervention.detail, candidate.step == step { return (intervention, candidate) }
        }
        return nil
    }

    /// The rule name a refusal and a deviation carry: "intervention intratesticular-injection (Injection into the testis …): volume ≤ 5 mL".
    public static func rule(_ intervention: Intervention, _ what: String) -> String {
        "intervention \(intervention.id) (\(intervention.title)): \(what)"
    }

    /// Every way the procedure departs from the step, in field order (site, volume, guidance, anaesthesia, tissue).
    public static func violations(_ procedure: Procedure, intervention: Intervention, step: ProcedureStep) -> [ProtocolViolation] {
        var found: [ProtocolViolation] = []
        func add(_ field: String, _ what: String, _ message: String) {
            found.append(ProtocolViolation(rule: rule(intervention, what), field: field, message: message, category: .procedure))
        }
        if let sites = step.anatomicalSites, !sites.isEmpty {
            let allowed = sites.joined(separator: " or ")
            if let site = procedure.anatomicalSite?.trimmingCharacters(in: .whitespacesAndNewlines), !site.isEmpty {
                if !siteMatches(site, allowed: sites) {
                    add("anatomicalSite", "site \(allowed)", "the protocol allows this step at \(allowed), not at “\(site)”")
                }
            } else {
                add("anatomicalSite", "site \(allowed)", "record the site: the protocol allows this step at \(allowed)")
            }
        }
        if let range = step.volumeML {
            let what = "volume \(range.text) mL"
            if let volume = procedure.volumeML {
                if let low = range.min, volume < low { add("volumeML", what, "\(NumberText.plain(volume)) mL is below the protocol's \(range.text) mL") }
                if let high = range.max, volume > high { add("volumeML", what, "\(NumberText.plain(volume)) mL is above the protocol's \(range.text) mL") }
            } else {
                add("volumeML", what, "record the volume: the protocol allows \(range.text) mL")
            }
        }
        func oneOf(_ field: String, _ value: String?, _ allowed: [String]?, rule: String, recorded: String, refused: (String, String) -> String) {
            guard let allowed, !allowed.isEmpty else { return }
            let names = allowed.joined(separator: " or ")
            guard let value else { return add(field, "\(rule) \(names)", "record \(recorded): the protocol allows \(names)") }
            if !allowed.contains(value) { add(field, "\(rule) \(names)", refused(names, value)) }
        }
        oneOf("imagingGuidance", procedure.imagingGuidance?.rawValue, step.imagingGuidance?.map(\.rawValue), rule: "guidance",
              recorded: "the imaging guidance") { "the protocol allows guidance by \($0), not \($1)" }
        oneOf("anaesthesia", procedure.anaesthesia?.rawValue, step.anaesthesia?.map(\.rawValue), rule: "anaesthesia",
              recorded: "the anaesthesia") { "the protocol allows \($0) anaesthesia, not \($1)" }
        oneOf("sourceTissue", procedure.sourceTissue, step.sourceTissues, rule: "tissue",
              recorded: "the tissue harvested") { "the protocol allows harvesting \($0), not \($1)" }
        return found
    }

    /// Whether a free-text site is one the protocol allows. Decision: both are compared as words — lower case,
    /// hyphens and punctuation as spaces — with the side left out (left, right, bilateral, both), because the side
    /// has its own field and "left testis" and "testis" name the same organ. The entered site matches when an
    /// allowed site's words appear in it as consecutive whole words: "Left testis" and "right testis, upper
    /// pole" match "testis"; "hip joint (right)" matches "hip"; "right knee" matches none, and neither does
    /// "testicle" or "femoral neck" — a site is entered as the protocol names it, with detail added after.
    public static func siteMatches(_ entered: String, allowed: [String]) -> Bool {
        let words = siteWords(entered)
        guard !words.isEmpty else { return false }
        return allowed.contains { site in
            let wanted = siteWords(site)
            guard !wanted.isEmpty, wanted.count <= words.count else { return false }
            return (0...(words.count - wanted.count)).contains { Array(words[$0..<($0 + wanted.count)]) == wanted }
        }
    }

    static let sideWords: Set<String> = ["left", "right", "bilateral", "both", "l", "r"]

    static func siteWords(_ text: String) -> [String] {
        text.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { !sideWords.contains($0) }
    }
}
