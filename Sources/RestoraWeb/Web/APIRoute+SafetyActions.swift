/// Safety actions that act (issue #15 item 4, docs/safety-actions.md): an investigator resumes a course held by
/// a safety rule, or lifts the hold one alert put on an enrolment's treatment (a cell program's injections).
extension APIRoute {
    static let resumeCourse = APIRoute(.post, "medication-courses/:id/resume")
    static let resumeAlertHold = APIRoute(.post, "safety-alerts/:id/resume")

    static let safetyActions: [APIRoute] = [resumeCourse, resumeAlertHold]
}
