/// Data queries' threads and re-opening, and source data verification (issue #16 item 5, docs/sdv.md).
extension APIRoute {
    static let query = APIRoute(.get, "queries/:id")
    static let reopenQuery = APIRoute(.post, "queries/:id/reopen")
    static let verifySource = APIRoute(.post, "participants/:id/sdv")
    static let sourceVerification = APIRoute(.get, "participants/:id/sdv")
    static let sdvProgress = APIRoute(.get, "sdv/progress")
    static let participantSDVProgress = APIRoute(.get, "sdv/participants/:id")

    static let sdvRoutes: [APIRoute] = [query, reopenQuery, verifySource, sourceVerification, sdvProgress, participantSDVProgress]
}

extension PageRoute {
    /// The participant page's forms: raise, answer, close and re-open a query; mark records as source-verified.
    static let raiseQueryPage = PageRoute("/participants/:id/queries")
    static let answerQueryPage = PageRoute("/queries/:id/answer")
    static let closeQueryPage = PageRoute("/queries/:id/close")
    static let reopenQueryPage = PageRoute("/queries/:id/reopen")
    static let verifySourcePage = PageRoute("/participants/:id/sdv")
}
