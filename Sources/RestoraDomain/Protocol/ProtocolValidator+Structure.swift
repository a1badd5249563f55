/// Checks of arms, interventions, the visit schedule, safety rules and the release specification.
extension ProtocolValidator {
    static func checkArmsAndInterventions(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        if d.arms.isEmpty { issues.append(.init(["arms"], "at least one arm is required")) }
        checkUnique(d.arms.map(\.id), what: "arm", at: ["arms"], &issues)
        checkUnique(d.interventions.map(\.id), what: "intervention", at: ["interventions"], &issues)
        let known = Set(d.interventions.map(\.id))
        for (i, arm) in d.arms.enumerated() {
            let path = DocumentPath(["arms"]).index(i).key("interventions")
            // A randomised protocol may have a no-intervention control arm (e.g. observation; REFERENCE.md I).
            let control = d.randomisation?.arms.contains(arm.id) ?? false
            if arm.interventions.isEmpty && !control {
                issues.append(.init(path, "an arm needs at least one intervention (only an arm of the randomisation may have none, as a control)"))
            }
            for (j, ref) in arm.interventions.enumerated() where !known.contains(ref) {
                let list = d.interventions.map(\.id).joined(separator: ", ")
                issues.append(.init(path.index(j), "unknown intervention '\(ref)'; known: \(list)"))
            }
        }
        var steps: Set<ProcedureStep.Step> = []
        var hasDrug = false
        for (i, intervention) in d.interventions.enumerated() {
            let path = DocumentPath(["interventions"]).index(i)
            switch intervention.detail {
            case let .drug(regimen):
                hasDrug = true
                checkDrug(regimen, at: path.key("drug"), &issues)
            case let .procedure(step):
                steps.insert(step.step)
                checkStep(step, at: path.key("procedure"), &issues)
            }
        }
        switch d.kind {
        case .drugCourse where !hasDrug:
            issues.append(.init(["interventions"], "a drug-course protocol needs a drug intervention"))
        case .cellTherapy:
            let missing = ProcedureStep.Step.allCases.filter { !steps.contains($0) }.map(\.rawValue)
            if !missing.isEmpty {
                issues.append(.init(["interventions"], "a cell-therapy protocol needs procedure steps: missing \(missing.joined(separator: ", "))"))
            }
            if d.release == nil { issues.append(.init(["release"], "a cell-therapy protocol needs a release specification")) }
        default: break
        }
    }

    private static func checkDrug(_ regimen: DrugRegimen, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        checkCoding(regimen.drug, at: path.key("drug"), &issues)
        if regimen.drug.system != .rxnorm { issues.append(.init(path.key("drug").key("system"), "a drug is coded in RxNorm")) }
        if !(regimen.dose.value > 0) { issues.append(.init(path.key("dose").key("value"), "dose must be greater than 0")) }
        if isBlank(regimen.dose.unit) { issues.append(.init(path.key("dose").key("unit"), "dose needs a unit")) }
        if isBlank(regimen.route) { issues.append(.init(path.key("route"), "route must not be empty")) }
        if regimen.frequency.dosesPerPeriod < 1 {
            let key = regimen.frequency.period == .day ? "timesPerDay" : "timesPerWeek"
            issues.append(.init(path.key(key), "\(key) must be at least 1"))
        }
        if regimen.durationWeeks < 1 { issues.append(.init(path.key("durationWeeks"), "durationWeeks must be at least 1")) }
    }

    private static func checkStep(_ step: ProcedureStep, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        for (name, range) in [("volumeML", step.volumeML), ("doseCells", step.doseCells)] {
            guard let range else { continue }
            if let low = range.min, let high = range.max, low > high {
                issues.append(.init(path.key(name), "min \(NumberText.plain(low)) is above max \(NumberText.plain(high))"))
            }
            if let low = range.min, low < 0 { issues.append(.init(path.key(name).key("min"), "must not be negative")) }
        }
        if step.step == .harvest && (step.sourceTissues ?? []).isEmpty {
            issues.append(.init(path.key("sourceTissues"), "a harvest step names its allowed source tissues"))
        }
        if step.step == .injection && (step.anatomicalSites ?? []).isEmpty {
            issues.append(.init(path.key("anatomicalSites"), "an injection step names its allowed anatomical sites"))
        }
    }

    /// Windows are inclusive and must not overlap: the schedule engine calls an unattended visit missed once
    /// the next visit's window opens, which needs an unambiguous order.
    static func checkSchedule(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        if d.schedule.isEmpty { issues.append(.init(["schedule"], "the schedule needs at least one visit")) }
        for key in duplicates(d.schedule.map(\.key)) {
            issues.append(.init(["schedule"], "visit key '\(key)' is used more than once"))
        }
        let known = Set(d.assessments.map(\.id))
        var previous: VisitDefinition?
        for (i, visit) in d.schedule.enumerated() {
            let path = DocumentPath(["schedule"]).index(i)
            if isBlank(visit.key) { issues.append(.init(path.key("key"), "a visit needs a key")) }
            if visit.windowBefore < 0 { issues.append(.init(path.key("windowBefore"), "window must not be negative, got \(visit.windowBefore)")) }
            if visit.windowAfter < 0 { issues.append(.init(path.key("windowAfter"), "window must not be negative, got \(visit.windowAfter)")) }
            for (j, ref) in visit.collect.enumerated() where !known.contains(ref) {
                issues.append(.init(path.key("collect").index(j), "unknown assessment '\(ref)'; known: \(d.assessments.map(\.id).joined(separator: ", "))"))
            }
            if let previous {
                if visit.day <= previous.day {
                    issues.append(.init(path.key("day"), "day offsets must increase: day \(visit.day) follows '\(previous.key)' on day \(previous.day)"))
                } else if visit.earliestDay <= previous.latestDay {
                    issues.append(.init(path.key("windowBefore"), "window (days \(visit.earliestDay)…\(visit.latestDay)) overlaps '\(previous.key)' (days \(previous.earliestDay)…\(previous.latestDay))"))
                }
            }
            previous = visit
        }
    }

    static func checkSafetyAndRelease(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        checkUnique(d.safetyRules.map(\.id), what: "safety rule", at: ["safetyRules"], &issues)
        for (i, rule) in d.safetyRules.enumerated() {
            let path = DocumentPath(["safetyRules"]).index(i).key("trigger")
            if case let .observation(threshold) = rule.trigger {
                if isBlank(threshold.code) { issues.append(.init(path.key("observation").key("code"), "a code must not be empty")) }
                if isBlank(threshold.unit) { issues.append(.init(path.key("observation").key("unit"), "a threshold needs its unit")) }
            }
        }
        guard let release = d.release else { return }
        if release.identity.isEmpty { issues.append(.init(["release", "identity"], "identity markers are required")) }
        for (i, marker) in release.identity.enumerated() {
            let path = DocumentPath(["release", "identity"]).index(i)
            if marker.markers.isEmpty { issues.append(.init(path.key("markers"), "name at least one marker")) }
            if (marker.minimumPercent == nil) == (marker.maximumPercent == nil) {
                issues.append(.init(path, "give exactly one of minimumPercent, maximumPercent"))
            }
        }
        if !(0...100).contains(release.minimumViabilityPercent) {
            issues.append(.init(["release", "minimumViabilityPercent"], "must be 0–100 %"))
        }
        if let dose = release.dose, dose.minimumCells > dose.maximumCells {
            issues.append(.init(["release", "dose"], "minimumCells is above maximumCells"))
        }
    }
}
