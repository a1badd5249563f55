/// WHO classification of one semen analysis (REFERENCE.md B1 limits, B2 nomenclature, B3 centrifugation).
extension SemenAnalysis {
    /// Classifies against `edition`'s lower reference limits. Throws `DomainError` for impossible input;
    /// missing values never throw — they become "cannot classify …: needs …" entries.
    public func interpret(
        edition: WHOEdition = .default,
        centrifugation: CentrifugationRequirement = .corea2005
    ) throws -> SemenInterpretation {
        try validate()
        let limits = edition.lowerReferenceLimits
        let total = effectiveTotalCountMillion
        var result = SemenInterpretation(
            edition: edition, terms: [], summary: nil, azoospermia: nil,
            parameters: assessments(limits, total: total), cannotClassify: [],
            totalCountMillion: total, totalCountComputed: totalCountWasComputed,
            totalMotileSpermCountMillion: totalMotileSpermCountMillion, motileSpermInEjaculate: .cannotDetermine)
        let motile = MotileSpermFinding.evaluate(self)
        result.motileSpermInEjaculate = motile.finding
        if let needs = motile.needs { result.cannotClassify.append("cannot determine motile sperm in the ejaculate: needs \(needs)") }

        // Aspermia: no ejaculate at all; nothing else can be said about it.
        if volumeML == 0 {
            result.terms = [.aspermia]
            result.summary = SemenTerm.aspermia.rawValue
            return result
        }
        guard let spermInFreshPreparation = concentrationMillionPerML.map({ $0 > 0 }) ?? total.map({ $0 > 0 }) else {
            result.cannotClassify.insert("cannot classify: needs sperm concentration or total sperm number", at: 0)
            return result
        }
        if !spermInFreshPreparation {
            classifyAbsence(into: &result, centrifugation: centrifugation)
        } else {
            classifyDescriptive(into: &result, limits: limits, total: total)
        }
        return result
    }

    /// Total motile sperm count (10^6) = volume × concentration × total motility (PR+NP) / 100.
    /// Uses PR+NP, the conventional TMSC; nil when any of the three is missing.
    public var totalMotileSpermCountMillion: Double? {
        guard let volumeML, let concentrationMillionPerML, let totalMotilityPercent else { return nil }
        return volumeML * concentrationMillionPerML * totalMotilityPercent / 100
    }

    private func assessments(_ limits: SemenReferenceLimits, total: Double?) -> [SemenParameterAssessment] {
        [
            .init(parameter: .volume, value: volumeML, lowerReferenceLimit: limits.volumeML),
            .init(parameter: .concentration, value: concentrationMillionPerML,
                  lowerReferenceLimit: limits.concentrationMillionPerML),
            .init(parameter: .totalCount, value: total, lowerReferenceLimit: limits.totalNumberMillion),
            .init(parameter: .totalMotility, value: totalMotilityPercent, lowerReferenceLimit: limits.totalMotilityPercent),
            .init(parameter: .progressiveMotility, value: progressiveMotilityPercent,
                  lowerReferenceLimit: limits.progressiveMotilityPercent),
            .init(parameter: .vitality, value: vitalityPercent, lowerReferenceLimit: limits.vitalityPercent),
            .init(parameter: .normalForms, value: normalFormsPercent, lowerReferenceLimit: limits.normalFormsPercent),
        ]
    }

    /// No sperm in the fresh preparation: cryptozoospermia if the pellet held sperm, otherwise azoospermia,
    /// confirmed only after an adequate centrifugation and pellet examination (REFERENCE.md B2, B3).
    private func classifyAbsence(into result: inout SemenInterpretation, centrifugation: CentrifugationRequirement) {
        if let pellet, pellet.examined, pellet.spermSeen {
            result.terms = [.cryptozoospermia]
            result.summary = SemenTerm.cryptozoospermia.rawValue
            return
        }
        let shortfall = centrifugation.shortfall(of: pellet)
        result.terms = [.azoospermia]
        result.azoospermia = AzoospermiaStatus(confirmed: shortfall == nil, reason: shortfall)
        if let shortfall {
            result.summary = "azoospermia (not confirmed)"
            result.cannotClassify.append(
                "cannot confirm azoospermia or exclude cryptozoospermia: \(shortfall)")
        } else {
            result.summary = SemenTerm.azoospermia.rawValue
        }
    }

    /// Sperm present: the descriptive terms, each from its own parameter (REFERENCE.md B2).
    private func classifyDescriptive(into result: inout SemenInterpretation, limits: SemenReferenceLimits, total: Double?) {
        var found: [SemenTerm] = []
        var unknown: [SemenTerm] = []
        func judge(_ term: SemenTerm, _ value: Double?, _ limit: Double, needs: String) {
            guard let value else {
                unknown.append(term)
                result.cannotClassify.append("cannot classify \(term.rawValue): needs \(needs)")
                return
            }
            if ClinicalComparison.isBelow(value, limit) { found.append(term) }
        }
        // Oligozoospermia is defined on total number; the WHO 2010 nomenclature allows concentration
        // "depending on the outcome reported", so concentration is used only when total cannot be derived.
        if let total {
            judge(.oligozoospermia, total, limits.totalNumberMillion, needs: "total sperm number")
        } else {
            judge(.oligozoospermia, concentrationMillionPerML, limits.concentrationMillionPerML,
                  needs: "total sperm number or concentration")
        }
        judge(.asthenozoospermia, progressiveMotilityPercent, limits.progressiveMotilityPercent,
              needs: "progressive motility (%)")
        judge(.teratozoospermia, normalFormsPercent, limits.normalFormsPercent, needs: "normal forms (%)")
        judge(.necrozoospermia, vitalityPercent, limits.vitalityPercent, needs: "vitality (%)")

        let normozoospermiaInputs: [SemenTerm] = [.oligozoospermia, .asthenozoospermia, .teratozoospermia]
        if found.isEmpty && !unknown.contains(where: normozoospermiaInputs.contains) {
            // Normozoospermia rests on total number, PR and morphology; vitality is not part of it.
            result.terms = [.normozoospermia]
            result.summary = SemenTerm.normozoospermia.rawValue
            return
        }
        result.terms = found
        result.summary = SemenTerm.combinedName(found)
        if found.isEmpty {
            result.cannotClassify.insert(
                "cannot classify normozoospermia: needs "
                    + unknown.filter(normozoospermiaInputs.contains).map(\.neededInput).joined(separator: ", "),
                at: 0)
        }
    }
}

extension SemenTerm {
    fileprivate var neededInput: String {
        switch self {
        case .oligozoospermia: "total sperm number or concentration"
        case .asthenozoospermia: "progressive motility (%)"
        case .teratozoospermia: "normal forms (%)"
        case .necrozoospermia: "vitality (%)"
        default: rawValue
        }
    }
}
