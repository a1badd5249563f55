extension LabGradingContext {
    /// The grading context of a laboratory value from what is recorded (REFERENCE.md E1): the ULN the
    /// laboratory printed with it, and the participant's baseline — the earliest earlier value of the same
    /// test in the same unit, "normal" when it was at or below its ULN, otherwise its value. The first value
    /// of a test is itself the baseline: a relative grade (multiples of ULN after a normal or abnormal
    /// baseline) then says it needs one instead of guessing.
    public static func recorded(_ observation: Observation, history: [Observation]) -> LabGradingContext {
        var context = LabGradingContext(upperLimitOfNormal: observation.upperLimitOfNormal)
        guard let unit = observation.value.quantity?.unit else { return context }
        let earlier = history
            .filter { $0.id != observation.id && $0.effective < observation.effective && $0.code.sameConcept(as: observation.code)
                && $0.value.quantity?.unit == unit }
            .min { $0.effective < $1.effective }
        if let first = earlier, let value = first.value.quantity?.value, let uln = first.upperLimitOfNormal ?? observation.upperLimitOfNormal {
            context.baseline = ClinicalComparison.isAtOrBelow(value, uln) ? .normal : .value(value)
        }
        return context
    }
}
