import RestoraDomain

extension CoursePage {
    /// A course held by a safety rule says so at the top of its page (issue #15 item 4, docs/safety-actions.md):
    /// since when, which rule and alert, and that nothing is dispensed until an investigator resumes it — with
    /// "Resume (active)" and a reason in the status form below (`TreatmentHolds.resume`).
    static func holdNotice(_ m: CoursePageModel) -> Node {
        let c = m.course.value
        guard c.status == .held else { return .fragment([]) }
        let source = c.heldByAlertID.map { "by the safety alert \($0.rawValue)" } ?? "by the prescriber"
        return el("div", ["id": "hold-notice", "class": "form-errors", "role": "status"]) {
            el("p") {
                "On hold\(c.heldOn.map { " since \($0)" } ?? "") \(source): nothing is dispensed until an investigator resumes the course"
                    + (m.canPrescribe ? " (choose “Resume (active)” below and say why)." : ".")
            }
        }
    }
}
