import RestoraDomain

/// The protocol-deviation fields an investigator sees on a treatment form (issue #14): a category and a
/// reason. Filled in, they let an action the protocol refuses through, stored with one signed deviation per
/// rule broken; left empty, the protocol's refusal stands.
enum DeviationFields {
    static let category = "deviationCategory"
    static let reason = "deviationReason"

    static let categoryLabels: [(String, String)] = ProtocolDeviation.Category.allCases.map { ($0.rawValue, $0.label) }

    @NodeBuilder static func fields(state: FormState) -> [Node] {
        el("fieldset", ["class": "deviation"]) {
            el("legend") { "Protocol deviation (investigator)" }
            el("p", ["class": "hint"]) {
                "Only if the protocol refuses this entry and you decide it goes ahead: give the category and your reason. "
                    + "It is stored with your signature, listed on the participant page and counted in the report."
            }
            Forms.select(category, label: "Deviation category", options: categoryLabels, state: state, blank: "No deviation")
            Forms.textarea(reason, label: "Reason for the deviation", state: state)
        }
    }

    /// The deviation the form carries: nil when no category is chosen; a category without a reason is refused
    /// next to the reason field.
    static func input(_ form: FormData) throws -> DeviationInput? {
        guard let text = form[category] else { return nil }
        guard let chosen = ProtocolDeviation.Category(rawValue: text) else {
            throw DomainError.invalidValue(field: category, message: "choose one of the deviation categories")
        }
        let why = form.typed(reason).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else {
            throw DomainError.invalidValue(field: reason, message: "a protocol deviation needs your reason")
        }
        return DeviationInput(category: chosen, reason: why)
    }
}
