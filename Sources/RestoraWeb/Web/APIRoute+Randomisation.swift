/// Randomisation (issue #16 item 1, docs/randomisation.md "In the system"): randomise an enrolment (201 with the
/// arm, or the kit code for a blinded role), read its allocation, emergency unblinding, and the program's balance
/// report; the participant page's Randomise form and the report page.
extension APIRoute {
    static let randomise = APIRoute(.post, "enrolments/:id/randomisation")
    static let randomisation = APIRoute(.get, "enrolments/:id/randomisation")
    static let unblind = APIRoute(.post, "enrolments/:id/unblinding")
    static let randomisationReport = APIRoute(.get, "programs/:id/randomisation")

    static let randomisationRoutes: [APIRoute] = [randomise, randomisation, unblind, randomisationReport]
}

extension PageRoute {
    static let randomiseEnrolmentPage = PageRoute("/enrolments/:id/randomisation")
    static let unblindEnrolmentPage = PageRoute("/enrolments/:id/unblinding")
    static let randomisationReportPage = PageRoute("/programs/:id/randomisation")
}
