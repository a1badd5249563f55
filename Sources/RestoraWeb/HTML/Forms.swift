import RestoraDomain

/// What a form shows: the values as typed and, per field, why the server refused it.
struct FormState: Sendable {
    var form: FormData
    var errors: [String: String]
    /// Problems not tied to one field (e.g. "this record changed since you opened it").
    var general: [String]

    init(form: FormData = FormData(), errors: [String: String] = [:], general: [String] = []) {
        self.form = form
        self.errors = errors
        self.general = general
    }

    var isValid: Bool { errors.isEmpty && general.isEmpty }
}

/// Form controls that keep the typed value and put the server's message next to the field, tied to it with
/// `aria-describedby` and `aria-invalid` so a screen reader announces it.
enum Forms {
    static func csrf(_ context: AppRequestContext) -> Node {
        el("input", ["type": "hidden", "name": "_csrf", "value": context.csrfToken])
    }

    /// `_csrf` plus `_nonce`: the nonce is the idempotency key of the record the form creates, so a double
    /// submit (or a resubmit after signing in again) stores one record.
    static func controls(_ context: AppRequestContext, state: FormState, ids: any IDGenerator) -> [Node] {
        [csrf(context), el("input", ["type": "hidden", "name": "_nonce", "value": state.form["_nonce"] ?? ids.next()])]
    }

    static func generalErrors(_ state: FormState) -> Node {
        guard !state.general.isEmpty || !state.errors.isEmpty else { return .fragment([]) }
        return el("div", ["class": "form-errors", "role": "alert"]) {
            el("p") { state.general.isEmpty ? "Please correct the fields marked below; nothing was saved." : "Nothing was saved." }
            if !state.general.isEmpty {
                el("ul") { state.general.map { message in el("li") { message } } }
            }
        }
    }

    static func input(
        _ name: String, label: String, type: String = "text", unit: String? = nil, hint: String? = nil,
        state: FormState, required: Bool = false, step: String? = nil, min: String? = nil, max: String? = nil,
        value: String? = nil, inputMode: String? = nil
    ) -> Node {
        let error = state.errors[name]
        let describedBy = [error == nil ? nil : "\(name)-error", hint == nil ? nil : "\(name)-hint"].compactMap { $0 }
        return el("div", ["class": error == nil ? "field" : "field has-error"]) {
            el("label", ["for": name]) {
                label
                if let unit { el("span", ["class": "unit"]) { " (\(unit))" } }
                if required { el("span", ["class": "required", "aria-hidden": "true"]) { " *" } }
            }
            Node.element("input", [
                "id": name, "name": name, "type": type, "inputmode": inputMode, "value": value ?? state.form.typed(name),
                "step": step, "min": min, "max": max,
                "aria-describedby": describedBy.isEmpty ? nil : describedBy.joined(separator: " "),
                "aria-invalid": error == nil ? nil : "true",
            ], flags: ["required": required])
            if let hint { el("p", ["id": "\(name)-hint", "class": "hint"]) { hint } }
            if let error { el("p", ["id": "\(name)-error", "class": "field-error"]) { error } }
        }
    }

    /// A clinical number: a text input with the decimal keypad, parsed on the server (`FieldErrors.number`
    /// takes a decimal comma). A browser's number field would silently drop "12,5" before the server saw it.
    static func decimalInput(
        _ name: String, label: String, unit: String? = nil, hint: String? = nil, state: FormState, required: Bool = false,
        inputMode: String = "decimal"
    ) -> Node {
        let understood = understoodText(state.form.values[name], refused: state.errors[name] != nil)
        let shown = [hint, understood].compactMap { $0 }.joined(separator: " · ")
        return input(name, label: label, type: "text", unit: unit, hint: shown.isEmpty ? nil : shown, state: state, required: required,
                     inputMode: inputMode)
    }

    /// How the server reads a typed number when that differs from what was typed ("1,5" → "read as 1.5"), so a
    /// decimal comma or an exponent shown again on a form is never a surprise (issue #14 item 6). Nothing for an
    /// empty, unreadable or refused value (its error says what is wrong).
    static func understoodText(_ typed: String?, refused: Bool) -> String? {
        guard !refused, let typed, !typed.isEmpty, let value = FieldReader.parseNumber(typed) else { return nil }
        let canonical = NumberText.plain(value)
        return canonical == typed.trimmingCharacters(in: .whitespaces) ? nil : "read as \(canonical)"
    }

    static func select(
        _ name: String, label: String, options: [(value: String, label: String)], state: FormState,
        required: Bool = false, blank: String? = nil, selected: String? = nil
    ) -> Node {
        let error = state.errors[name]
        let current = state.form.values[name] ?? selected ?? ""
        return el("div", ["class": error == nil ? "field" : "field has-error"]) {
            el("label", ["for": name]) {
                label
                if required { el("span", ["class": "required", "aria-hidden": "true"]) { " *" } }
            }
            Node.element("select", [
                "id": name, "name": name,
                "aria-describedby": error == nil ? nil : "\(name)-error", "aria-invalid": error == nil ? nil : "true",
            ], flags: ["required": required]) {
                if let blank { el("option", ["value": ""]) { blank } }
                options.map { option in
                    Node.element("option", ["value": option.value], flags: ["selected": option.value == current]) { option.label }
                }
            }
            if let error { el("p", ["id": "\(name)-error", "class": "field-error"]) { error } }
        }
    }

    static func textarea(_ name: String, label: String, state: FormState, required: Bool = false, hint: String? = nil) -> Node {
        let error = state.errors[name]
        // Both the message and the hint, as for `input`: a refused field keeps its hint for a screen reader.
        let describedBy = [error == nil ? nil : "\(name)-error", hint == nil ? nil : "\(name)-hint"].compactMap { $0 }
        return el("div", ["class": error == nil ? "field" : "field has-error"]) {
            el("label", ["for": name]) {
                label
                if required { el("span", ["class": "required", "aria-hidden": "true"]) { " *" } }
            }
            Node.element("textarea", [
                "id": name, "name": name, "rows": "3",
                "aria-describedby": describedBy.isEmpty ? nil : describedBy.joined(separator: " "),
                "aria-invalid": error == nil ? nil : "true",
            ], flags: ["required": required]) { state.form.typed(name) }
            if let hint { el("p", ["id": "\(name)-hint", "class": "hint"]) { hint } }
            if let error { el("p", ["id": "\(name)-error", "class": "field-error"]) { error } }
        }
    }

    static func submit(_ label: String, id: String = "save") -> Node {
        el("button", ["id": id, "type": "submit", "class": "primary"]) { label }
    }
}
