/// Adverse-event reporting (issue #15 items 1-3, docs/safety.md): one event, its CIOMS I / 3500A draft, the
/// submissions that stop its reporting clock, follow-up information that restarts one, the open clocks, and
/// the CTCAE v5.0 term list events are coded with.
extension APIRoute {
    static let adverseEvent = APIRoute(.get, "adverse-events/:id")
    static let adverseEventReportDraft = APIRoute(.get, "adverse-events/:id/report-draft")
    static let recordReportSubmission = APIRoute(.post, "adverse-events/:id/submissions")
    static let recordFollowUpInformation = APIRoute(.post, "adverse-events/:id/follow-up-information")
    static let reportingClocks = APIRoute(.get, "reporting-clocks")
    static let ctcaeTerms = APIRoute(.get, "ctcae-terms")

    static let adverseEventReporting: [APIRoute] = [
        adverseEvent, adverseEventReportDraft, recordReportSubmission, recordFollowUpInformation, reportingClocks, ctcaeTerms,
    ]
}
