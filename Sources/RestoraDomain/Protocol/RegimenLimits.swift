import Foundation

/// What the protocol's drug regimen allows a prescribed course (issue #14 "The protocol decides"): the drug,
/// the dose, the route, the frequency and the duration, each against the program's `DrugRegimen`
/// (isotretinoin 20 mg by mouth twice daily for 26 weeks, REFERENCE.md A1). Pure: `MedicationEntry` finds the
/// regimen (enrolment → program → protocol) and refuses, or stores the violations as signed deviations.
///
/// Decisions (README "Decisions", docs/treatment.md):
/// - The drug is the regimen's RxNorm concept (same system and code).
/// - The dose is the regimen's dose, compared in the regimen's unit (0.02 g is 20 mg); a mass in another unit
///   is converted (g, mg, µg, ng), any other unit cannot be compared and is refused. A lower dose (a reduction
///   after a side effect) departs from the protocol too: an investigator records it as a deviation.
/// - The route is the regimen's route; "PO" and "by mouth" are read as "oral".
/// - The frequency is the regimen's: doses per period and the period (a day or a week).
/// - The planned stop is no later than the regimen's duration allows: the last day of a 26-week course
///   started on day 0 is day 181.
public enum RegimenLimits {
    /// The drug intervention of the enrolment, if the protocol has one.
    public static func intervention(in definition: ProtocolDefinition, arm: String?) -> (Intervention, DrugRegimen)? {
        for intervention in InterventionLimits.interventions(of: definition, arm: arm) {
            if case let .drug(regimen) = intervention.detail { return (intervention, regimen) }
        }
        return nil
    }

    /// The last day a course started on `start` may run: `durationWeeks` × 7 days counted from the start day.
    public static func lastDay(of regimen: DrugRegimen, from start: CalendarDate) -> CalendarDate {
        start.adding(days: max(regimen.durationWeeks, 1) * 7 - 1)
    }

    public static func violations(_ course: MedicationCourse, intervention: Intervention, regimen: DrugRegimen) -> [ProtocolViolation] {
        var found: [ProtocolViolation] = []
        func add(_ field: String, _ what: String, _ message: String) {
            found.append(ProtocolViolation(rule: InterventionLimits.rule(intervention, what), field: field, message: message, category: .treatment))
        }
        let drugName = regimen.drug.display ?? "RxNorm \(regimen.drug.code)"
        if !course.drug.sameConcept(as: regimen.drug) {
            add("drug", "drug \(drugName) (\(regimen.drug.system.rawValue) \(regimen.drug.code))",
                "the protocol prescribes \(drugName), not \(course.drug.display ?? course.drug.code)")
        }
        let doseRule = "dose \(regimen.dose)"
        if let dose = converted(course.dose, to: regimen.dose.unit) {
            if abs(dose - regimen.dose.value) > 1e-9 * max(1, abs(regimen.dose.value)) {
                add("dose", doseRule, "the protocol's dose is \(regimen.dose) a dose, not \(course.dose)")
            }
        } else {
            add("dose", doseRule, "a dose in \(course.dose.unit) cannot be compared with the protocol's \(regimen.dose)")
        }
        if normalisedRoute(course.route) != normalisedRoute(regimen.route) {
            add("route", "route \(regimen.route)", "the protocol's route is \(regimen.route), not \(course.route)")
        }
        if course.frequency != regimen.frequency {
            add("dosesPerPeriod", "frequency \(regimen.frequency)", "the protocol's frequency is \(regimen.frequency), not \(course.frequency)")
        }
        if let stop = course.plannedStop, stop > lastDay(of: regimen, from: course.start) {
            add("plannedStop", "duration \(regimen.durationWeeks) weeks",
                "a course started on \(course.start) ends by \(lastDay(of: regimen, from: course.start)) (\(regimen.durationWeeks) weeks), not \(stop)")
        }
        return found
    }

    /// `quantity` in `unit` when both are masses (or the same unit); nil when they cannot be compared.
    public static func converted(_ quantity: Quantity, to unit: String) -> Double? {
        if quantity.unit == unit { return quantity.value }
        guard let from = massInMilligrams[quantity.unit], let to = massInMilligrams[unit] else { return nil }
        return quantity.value * from / to
    }

    static let massInMilligrams: [String: Double] = ["g": 1_000, "mg": 1, "ug": 0.001, "µg": 0.001, "mcg": 0.001, "ng": 0.000_001]

    static func normalisedRoute(_ route: String) -> String {
        let text = route.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return ["po": "oral", "by mouth": "oral", "per os": "oral", "iv": "intravenous", "sc": "subcutaneous", "im": "intramuscular"][text] ?? text
    }
}
