/// Rules over lists of the record (diagnoses, medications, procedures, history). Finding an item is
/// evidence; not finding one is evidence only when the section was reviewed (ParticipantRecord.reviewedSections).
extension RuleEvaluator {
    func evaluateDiagnosis(_ rule: DiagnosisRule) -> RuleResult {
        let codes = rule.codes ?? [], prefixes = rule.prefixes ?? []
        let wanted = (codes + prefixes.map { "\($0)*" }).joined(separator: ", ")
        let found = record.participant.diagnoses.filter { diagnosis in
            guard diagnosis.code.system == rule.codeSystem, (diagnosis.onset.map { $0 <= date } ?? true) else { return false }
            return codes.contains(diagnosis.code.code) || prefixes.contains { diagnosis.code.code.hasPrefix($0) }
        }
        let evidence = found.map {
            Evidence(source: .diagnosis, reference: $0.code.code, date: $0.onset, value: $0.code.display, text: "diagnosis \($0.code)")
        }
        return absenceAware(found: !found.isEmpty, evidence: evidence, section: .diagnoses,
                            what: "diagnosis \(rule.codeSystem.rawValue) \(wanted)")
    }

    /// A class or a code matches. Without a window the medication must be current on the date; with one,
    /// any use overlapping the window counts. Protocol drug courses in the record count too.
    func evaluateMedication(_ rule: MedicationRule) -> RuleResult {
        let classes = Set((rule.classes ?? []).map { $0.lowercased() }), codes = rule.codes ?? []
        let start = rule.withinDays.map(windowStart) ?? date
        func inWindow(_ from: CalendarDate?, _ to: CalendarDate?) -> Bool {
            (from.map { $0 <= date } ?? true) && (to.map { $0 >= start } ?? true)
        }
        var evidence: [Evidence] = []
        for medication in record.medications where inWindow(medication.start, medication.stop) {
            let classMatch = medication.drugClass.map { classes.contains($0.lowercased()) } ?? false
            guard classMatch || codes.contains(where: { $0.sameConcept(as: medication.drug) }) else { continue }
            let period = "\(medication.start.map(\.description) ?? "?")…\(medication.stop.map(\.description) ?? "ongoing")"
            evidence.append(Evidence(source: .medication, reference: medication.drug.description, date: medication.start,
                                     value: period, text: "\(medication.drug.display ?? medication.drug.code) (\(medication.drugClass ?? "no class"))"))
        }
        for course in record.medicationCourses where codes.contains(where: { $0.sameConcept(as: course.drug) }) {
            let end = course.stop ?? (course.status == .active || course.status == .held ? nil : course.plannedStop)
            guard inWindow(course.start, end) else { continue }
            evidence.append(Evidence(source: .medication, reference: course.id.rawValue, date: course.start,
                                     value: course.status.rawValue, text: "course of \(course.drug)"))
        }
        let wanted = (Array(classes).sorted() + codes.map(\.description)).joined(separator: ", ")
        let when = rule.withinDays.map { "within \($0) days" } ?? "current"
        return absenceAware(found: !evidence.isEmpty, evidence: evidence, section: .medications,
                            what: "medication \(wanted) (\(when))")
    }

    /// Kinds and codes narrow together: with both, a procedure must have one of the kinds and one of the codes.
    func evaluateProcedure(_ rule: ProcedureRule) -> RuleResult {
        var evidence: [Evidence] = []
        for procedure in record.procedures where procedure.performed < date.adding(days: 1).startOfDayUTC {
            if let kinds = rule.kinds, !kinds.contains(procedure.kind) { continue }
            if let codes = rule.codes, !codes.contains(where: { procedure.code?.sameConcept(as: $0) == true }) { continue }
            evidence.append(Evidence(source: .procedure, reference: procedure.id.rawValue, date: CalendarDate(procedure.performed),
                                     value: procedure.outcome, text: "procedure \(procedure.kind.rawValue)"))
        }
        for item in record.participant.history where item.kind == .procedure && (item.date.map { $0 <= date } ?? true) {
            guard let codes = rule.codes, codes.contains(where: { item.code?.sameConcept(as: $0) == true }) else { continue }
            evidence.append(Evidence(source: .history, reference: item.code?.description, date: item.date,
                                     value: item.outcome, text: item.description))
        }
        let wanted = ((rule.kinds ?? []).map(\.rawValue) + (rule.codes ?? []).map(\.description)).joined(separator: ", ")
        return absenceAware(found: !evidence.isEmpty, evidence: evidence, section: .procedures, what: "prior procedure \(wanted)")
    }

    func evaluateHistory(_ rule: HistoryRule) -> RuleResult {
        let found = record.participant.history.filter { item in
            if let kinds = rule.kinds, !kinds.contains(item.kind) { return false }
            if let codes = rule.codes, !codes.contains(where: { item.code?.sameConcept(as: $0) == true }) { return false }
            return item.date.map { $0 <= date } ?? true
        }
        let evidence = found.map {
            Evidence(source: .history, reference: $0.code?.description, date: $0.date, value: $0.outcome, text: $0.description)
        }
        let wanted = ((rule.kinds ?? []).map(\.rawValue) + (rule.codes ?? []).map(\.description)).joined(separator: ", ")
        return absenceAware(found: !evidence.isEmpty, evidence: evidence, section: .history, what: "history \(wanted)")
    }

    private func absenceAware(found: Bool, evidence: [Evidence], section: ParticipantRecord.Section, what: String) -> RuleResult {
        if found { return RuleResult(.met, "\(what): recorded", evidence: evidence) }
        if record.reviewedSections.contains(section) {
            let review = Evidence(source: .review, reference: section.rawValue, text: "\(section.rawValue) reviewed; none recorded")
            return RuleResult(.notMet, "\(what): none (\(section.rawValue) reviewed)", evidence: [review])
        }
        return RuleResult(.unknown, "\(what): none recorded, \(section.rawValue) not reviewed",
                          missing: ["a reviewed \(section.rawValue) list (to rule out or confirm \(what))"])
    }
}
