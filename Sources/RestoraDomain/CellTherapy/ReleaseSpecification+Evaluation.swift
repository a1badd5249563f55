/// Judges a lot's release-test results against a specification (REFERENCE.md D2). Every criterion is
/// evaluated — no short-circuit — so a rejection names everything that failed and everything missing.
extension ReleaseSpecification {
    public func evaluate(_ results: ReleaseTestResults, specificationSource: String = "built-in ISCT 2006 defaults") throws -> ReleaseDecision {
        try validate(results)
        var criteria = identity.map { identityResult($0, results.markersPercent) }
        criteria.append(viabilityResult(results.viabilityPercent))
        criteria.append(sterilityResult(results.sterilityNoGrowth))
        criteria.append(try endotoxinResult(results))
        if mycoplasma == .negative {
            criteria.append(booleanResult("mycoplasma", requirement: "negative", results.mycoplasmaNegative,
                                          passText: "negative", failText: "positive"))
        }
        if let dose { criteria.append(doseResult(dose, results)) }
        return ReleaseDecision(criteria: criteria, specification: self, specificationSource: specificationSource)
    }

    private func validate(_ r: ReleaseTestResults) throws {
        for (marker, percent) in r.markersPercent.sorted(by: { $0.key < $1.key }) {
            try AllowedRange.percent.check(percent, field: "markersPercent.\(marker)")
        }
        try AllowedRange.percent.checkIfPresent(r.viabilityPercent, field: "viabilityPercent")
        try AllowedRange.nonNegative(r.endotoxin?.unit ?? "EU").checkIfPresent(r.endotoxin?.value, field: "endotoxin")
        try AllowedRange.nonNegative("cells").checkIfPresent(r.doseCells, field: "doseCells")
        try AllowedRange(lower: 0, lowerInclusive: false, upper: 500, unit: "kg")
            .checkIfPresent(r.participantWeightKg, field: "participantWeightKg")
        try AllowedRange(lower: 0, lowerInclusive: false, upper: 1_000, unit: "mL")
            .checkIfPresent(r.productVolumeML, field: "productVolumeML")
    }

    /// Alternatives ("CD14 or CD11b"): at least one reported, and every reported one within the limit.
    private func identityResult(_ req: MarkerRequirement, _ measured: [String: Double]) -> ReleaseCriterionResult {
        let normalized = Dictionary(measured.map { (MarkerRequirement.normalize($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        let readings = req.markers.compactMap { m in normalized[MarkerRequirement.normalize(m)].map { (m, $0) } }
        let requirement = [req.minimumPercent.map { "≥ \(NumberText.plain($0)) %" },
                           req.maximumPercent.map { "≤ \(NumberText.plain($0)) %" }].compactMap { $0 }.joined(separator: ", ")
        let name = "identity \(req.label)"
        guard !readings.isEmpty else {
            return .init(criterion: name, requirement: requirement, observed: nil, status: .missing,
                         note: "needs the % of cells positive for \(req.label)")
        }
        let observed = readings.map { "\($0.0) \(NumberText.plain($0.1)) %" }.joined(separator: ", ")
        let pass = readings.allSatisfy { _, value in
            (req.minimumPercent.map { ClinicalComparison.isAtOrAbove(value, $0) } ?? true)
                && (req.maximumPercent.map { ClinicalComparison.isAtOrBelow(value, $0) } ?? true)
        }
        return .init(criterion: name, requirement: requirement, observed: observed, status: pass ? .pass : .fail)
    }

    private func viabilityResult(_ viability: Double?) -> ReleaseCriterionResult {
        let requirement = "≥ \(NumberText.plain(minimumViabilityPercent)) %"
        guard let viability else {
            return .init(criterion: "viability", requirement: requirement, observed: nil, status: .missing, note: "needs viability %")
        }
        let pass = ClinicalComparison.isAtOrAbove(viability, minimumViabilityPercent)
        return .init(criterion: "viability", requirement: requirement, observed: "\(NumberText.plain(viability)) %",
                     status: pass ? .pass : .fail)
    }

    private func sterilityResult(_ noGrowth: Bool?) -> ReleaseCriterionResult {
        let days = sterility.incubationDays.map { " at \($0) days" } ?? ""
        return booleanResult("sterility", requirement: "no growth\(days)", noGrowth, passText: "no growth", failText: "growth")
    }

    private func booleanResult(_ name: String, requirement: String, _ value: Bool?, passText: String, failText: String) -> ReleaseCriterionResult {
        guard let value else {
            return .init(criterion: name, requirement: requirement, observed: nil, status: .missing, note: "needs the \(name) result")
        }
        return .init(criterion: name, requirement: requirement, observed: value ? passText : failText, status: value ? .pass : .fail)
    }

    private func doseResult(_ range: DoseRange, _ r: ReleaseTestResults) -> ReleaseCriterionResult {
        let perKg = range.basis == .perKilogram
        let unit = perKg ? "cells/kg" : "cells"
        let requirement = "\(NumberText.scientific(range.minimumCells))–\(NumberText.scientific(range.maximumCells)) \(unit)"
        guard let cells = r.doseCells else {
            return .init(criterion: "dose", requirement: requirement, observed: nil, status: .missing, note: "needs the cell count of the dose")
        }
        var dose = cells
        if perKg {
            guard let weight = r.participantWeightKg else {
                return .init(criterion: "dose", requirement: requirement, observed: "\(NumberText.scientific(cells)) cells",
                             status: .missing, note: "needs participant weight (kg) for a per-kg dose")
            }
            dose = cells / weight
        }
        let pass = ClinicalComparison.isAtOrAbove(dose, range.minimumCells) && ClinicalComparison.isAtOrBelow(dose, range.maximumCells)
        return .init(criterion: "dose", requirement: requirement, observed: "\(NumberText.scientific(dose)) \(unit)",
                     status: pass ? .pass : .fail)
    }
}

extension MarkerRequirement {
    /// "HLA-DR" = "HLADR" = "hla dr"; "CD79α" = "CD79a".
    public static func normalize(_ marker: String) -> String {
        marker.uppercased().replacingOccurrences(of: "Α", with: "A")
            .filter { !$0.isWhitespace && $0 != "-" && $0 != "_" }
    }
}

extension CellProduct {
    /// The release decision for this lot; the lot's own viability is used when the test panel lacks one.
    public func evaluateRelease(
        specification: ReleaseSpecification = .isct2006Default, specificationSource: String = "built-in ISCT 2006 defaults"
    ) throws -> ReleaseDecision {
        var results = releaseTests
        if results.viabilityPercent == nil { results.viabilityPercent = viabilityPercent }
        return try specification.evaluate(results, specificationSource: specificationSource)
    }
}
