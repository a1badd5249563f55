import Foundation
import RestoraDomain

/// The views of the public pre-screening and of the clinic's list of pre-screened candidates. Plain
/// language, every radio group a fieldset with a legend, messages tied to their fields, and no script.
enum PrescreenPage {
    static let choices: [(value: String, label: String)] = [("yes", "Yes"), ("no", "No"), ("not-sure", "Not sure")]

    // MARK: questionnaire

    static func questionnaire(context: AppRequestContext, questionnaire: PrescreenQuestionnaire, state: FormState) -> Node {
        Layout.page(title: "Pre-screening", context: context) {
            el("h1") { questionnaire.title }
            el("p", ["class": "lead"]) { questionnaire.introduction }
            Forms.generalErrors(state)
            el("form", ["id": "prescreen-form", "method": "post", "action": WebPath.prescreen]) {
                Forms.csrf(context)
                questionnaire.questions.map { question in Self.question(question, state: state) }
                el("p", ["class": "hint"]) { "Nothing you answer here is stored. You will see your result on the next page." }
                Forms.submit("See my result", id: "prescreen-submit")
            }
        }
    }

    static func question(_ question: PrescreenQuestion, state: FormState) -> Node {
        switch question.kind {
        case let .wholeNumber(_, unit):
            // A whole number, checked on the server against the question's range (the hint and the error say it).
            return Forms.decimalInput(
                question.id, label: question.text, unit: unit, hint: question.hint, state: state, required: true, inputMode: "numeric")
        case .yesNoNotSure:
            return radioGroup(question.id, legend: question.text, hint: question.hint, options: choices, state: state)
        }
    }

    /// A radio group: a fieldset whose legend is the question, the hint and the message tied to it.
    static func radioGroup(
        _ name: String, legend: String, hint: String?, options: [(value: String, label: String)], state: FormState
    ) -> Node {
        let error = state.errors[name]
        let describedBy = [error == nil ? nil : "\(name)-error", hint == nil ? nil : "\(name)-hint"].compactMap { $0 }
        let current = state.form.values[name]
        return el("fieldset", [
            "id": name, "class": error == nil ? "field choices" : "field choices has-error",
            "aria-describedby": describedBy.isEmpty ? nil : describedBy.joined(separator: " "),
        ]) {
            el("legend") {
                legend
                el("span", ["class": "required", "aria-hidden": "true"]) { " *" }
            }
            if let hint { el("p", ["id": "\(name)-hint", "class": "hint"]) { hint } }
            if let error { el("p", ["id": "\(name)-error", "class": "field-error"]) { error } }
            options.map { option in
                el("div", ["class": "choice"]) {
                    Node.element("input", [
                        "id": "\(name)-\(option.value)", "name": name, "type": "radio", "value": option.value,
                        "aria-invalid": error == nil ? nil : "true",
                    ], flags: ["checked": current == option.value, "required": true])
                    el("label", ["for": "\(name)-\(option.value)"]) { option.label }
                }
            }
        }
    }

    // MARK: result and contact

    static func result(
        context: AppRequestContext, questionnaire: PrescreenQuestionnaire, result: PrescreenResult, programs: [Program],
        contact: FormState
    ) -> Node {
        Layout.page(title: "Your pre-screening result", context: context) {
            el("h1") { "Your result" }
            el("section", ["id": "prescreen-result", "aria-labelledby": "prescreen-result-title"]) {
                el("h2", ["id": "prescreen-result-title", "class": "verdict verdict-\(result.verdict.rawValue)"]) { result.verdict.headline }
                el("p") { "This is not a medical decision: only the clinic's doctor can decide, after a visit. Nothing has been stored." }
                findingList("fits", "What fits", result.findings(.fits), empty: "None of your answers.")
                findingList("rules-out", "What rules you out", result.findings(.rulesOut), empty: "Nothing in your answers rules you out.")
                findingList("needs-visit", "What needs a visit to the clinic", result.findings(.needsVisit), empty: "Nothing beyond the usual checks below.")
                el("h3") { "Whatever your answers, the clinic checks at the first visit" }
                el("ul", ["id": "always-at-visit"]) { questionnaire.alwaysAtVisit.map { item in el("li") { item } } }
            }
            contactSection(context: context, questionnaire: questionnaire, result: result, programs: programs, state: contact)
            el("p") { el("a", ["href": WebPath.prescreen]) { "Start the questionnaire again" } }
        }
    }

    static func findingList(_ id: String, _ title: String, _ findings: [PrescreenFinding], empty: String) -> Node {
        Node.fragment([
            el("h3", ["id": "\(id)-title"]) { title },
            el("ul", ["id": id, "aria-labelledby": "\(id)-title"]) {
                if findings.isEmpty {
                    el("li", ["class": "empty"]) { empty }
                } else {
                    findings.map { finding in el("li", ["data-question": finding.questionID]) { finding.sentence } }
                }
            },
        ])
    }

    static func contactSection(
        context: AppRequestContext, questionnaire: PrescreenQuestionnaire, result: PrescreenResult, programs: [Program],
        state: FormState
    ) -> Node {
        Layout.section("contact", "Would you like the clinic to contact you?") {
            if programs.isEmpty {
                el("p") { "The clinic is not taking contact requests for this program at the moment." }
            } else {
                el("p") {
                    "If you wish, leave your name and an email address or phone number. Only then are your answers, your name and your contact details stored, and only the clinic's staff can see them. If you leave nothing, nothing is kept."
                }
                Forms.generalErrors(state)
                el("form", ["id": "contact-form", "method": "post", "action": PrescreenController.contactPath]) {
                    Forms.csrf(context)
                    el("input", ["type": "hidden", "name": "_nonce", "value": state.form["_nonce"] ?? ""])
                    // The answers ride along; the server evaluates them again.
                    result.findings.map { finding in
                        el("input", ["type": "hidden", "name": finding.questionID, "value": finding.answer.formValue])
                    }
                    if programs.count > 1 {
                        Forms.select(
                            "programID", label: "Clinic", options: programs.map { ($0.id.rawValue, $0.name) }, state: state,
                            required: true, blank: "Choose a clinic")
                    }
                    Forms.input("name", label: "Your name", state: state, required: true)
                    Forms.input("contact", label: "Email address or phone number", hint: "For example name@example.org or +33 6 12 34 56 78.",
                                state: state, required: true)
                    consentBox(state: state)
                    Forms.submit("Send my details to the clinic", id: "contact-submit")
                }
            }
        }
    }

    static func consentBox(state: FormState) -> Node {
        let error = state.errors["consent"]
        return el("div", ["class": error == nil ? "field checkbox" : "field checkbox has-error"]) {
            Node.element("input", [
                "id": "consent", "name": "consent", "type": "checkbox", "value": "yes",
                "aria-describedby": error == nil ? nil : "consent-error", "aria-invalid": error == nil ? nil : "true",
            ], flags: ["checked": state.form["consent"] != nil, "required": true])
            el("label", ["for": "consent"]) { PrescreenContact.consentText }
            if let error { el("p", ["id": "consent-error", "class": "field-error"]) { error } }
        }
    }

    static func thanks(context: AppRequestContext) -> Node {
        Layout.page(title: "Details sent", context: context) {
            el("h1") { "Thank you" }
            el("p", ["id": "contact-saved", "role": "status"]) {
                "Your details and answers have reached the clinic. Someone from the clinic will contact you."
            }
            el("p") { "If you change your mind, tell the clinic when they contact you and your details will be removed." }
        }
    }

    // MARK: clinic list

    static func candidates(
        context: AppRequestContext, user: UserAccount, candidates: [Versioned<PrescreenCandidate>],
        programNames: [Identifier<Program>: String], questionnaire: PrescreenQuestionnaire, ids: any IDGenerator
    ) -> Node {
        Layout.page(title: "Pre-screened candidates", context: context) {
            el("h1") { "Pre-screened candidates" }
            el("p") { "People who did the public pre-screening and asked to be contacted, newest first." }
            if candidates.isEmpty {
                Layout.empty("Nobody has left contact details yet.")
            }
            el("table", ["id": "prescreened-list"]) {
                el("thead") {
                    el("tr") {
                        ["Sent", "Name", "Contact", "Program", "Result", "Answers", "Status"].map { title in el("th", ["scope": "col"]) { title } }
                    }
                }
                el("tbody") {
                    candidates.map { candidate in
                        row(candidate, context: context, user: user, programName: programNames[candidate.value.programID], questionnaire: questionnaire)
                    }
                }
            }
        }
    }

    static func row(
        _ versioned: Versioned<PrescreenCandidate>, context: AppRequestContext, user: UserAccount, programName: String?,
        questionnaire: PrescreenQuestionnaire
    ) -> Node {
        let candidate = versioned.value
        return el("tr", ["class": "prescreened-row", "id": "candidate-\(candidate.id.rawValue)"]) {
            el("td") { el("time", ["datetime": StoredInstant.format(candidate.submittedAt)]) { StoredInstant.display(candidate.submittedAt) } }
            el("td", ["class": "candidate-name"]) { candidate.contactName }
            el("td", ["class": "candidate-contact"]) {
                if candidate.contactKind == .email {
                    el("a", ["href": "mailto:\(candidate.contact)"]) { candidate.contact }
                } else {
                    el("a", ["href": "tel:\(candidate.contact.filter { $0.isNumber || $0 == "+" })"]) { candidate.contact }
                }
            }
            el("td") { programName ?? candidate.programID.rawValue }
            el("td", ["class": "candidate-verdict"]) {
                el("strong") { candidate.verdict.shortLabel }
                el("br")
                candidate.summary
            }
            el("td") {
                el("details") {
                    el("summary") { "Answers" }
                    el("ul", ["class": "candidate-answers"]) {
                        candidate.findings.filter { $0.bucket != .fits }.map { finding in
                            el("li", ["class": "finding-\(finding.bucket.rawValue)"]) {
                                el("span", ["class": "question"]) { questionnaire.question(finding.questionID)?.text ?? finding.questionID }
                                " — \(finding.answer.label). \(finding.sentence)"
                            }
                        }
                        candidate.findings.filter { $0.bucket == .fits }.map { finding in
                            el("li", ["class": "finding-fits"]) {
                                el("span", ["class": "question"]) { questionnaire.question(finding.questionID)?.text ?? finding.questionID }
                                " — \(finding.answer.label)."
                            }
                        }
                    }
                }
            }
            el("td", ["class": "candidate-status"]) {
                if user.role.writesClinicalData {
                    el("form", ["class": "status-form", "method": "post", "action": PrescreenController.statusPath(candidate.id)]) {
                        Forms.csrf(context)
                        el("input", ["type": "hidden", "name": "version", "value": String(versioned.version)])
                        el("label", ["for": "status-\(candidate.id.rawValue)", "class": "visually-hidden"]) { "Status of \(candidate.contactName)" }
                        el("select", ["id": "status-\(candidate.id.rawValue)", "name": "status"]) {
                            PrescreenCandidate.Status.allCases.map { status in
                                Node.element("option", ["value": status.rawValue], flags: ["selected": status == candidate.status]) { status.label }
                            }
                        }
                        el("button", ["type": "submit", "class": "status-button"]) { "Save" }
                    }
                } else {
                    candidate.status.label
                }
                if let participant = candidate.participantID {
                    el("a", ["class": "candidate-participant", "href": WebPath.participant(participant)]) { "Registered participant" }
                } else if user.role.writesClinicalData {
                    el("a", ["class": "register-candidate", "href": WebPath.registerCandidate(candidate.id)]) { "Register this candidate" }
                }
            }
        }
    }
}

extension PrescreenResult.Verdict {
    /// The verdict in the clinic's list.
    var shortLabel: String {
        switch self {
        case .mayFit: return "May fit"
        case .needsVisit: return "Needs a visit"
        case .ruledOut: return "Ruled out by an answer"
        }
    }
}

/// Instants as the pages show them: UTC, to the minute (and ISO 8601 in `datetime` attributes).
fileprivate enum StoredInstant {
    static func format(_ date: Date) -> String { date.formatted(.iso8601) }

    static func display(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }
}
