/// Electronic signatures (issue #16 item 3, docs/signatures.md; REFERENCE.md H1): sign a casebook (enrolment), a
/// visit, an eligibility decision (screening) or a release decision (cell product), and list the signatures of
/// each with their status (valid, invalidated, voided).
extension APIRoute {
    static let signEnrolment = APIRoute(.post, "enrolments/:id/signatures")
    static let enrolmentSignatures = APIRoute(.get, "enrolments/:id/signatures")
    static let signVisit = APIRoute(.post, "visits/:id/signatures")
    static let visitSignatures = APIRoute(.get, "visits/:id/signatures")
    static let signScreening = APIRoute(.post, "screenings/:id/signatures")
    static let screeningSignatures = APIRoute(.get, "screenings/:id/signatures")
    static let signCellProduct = APIRoute(.post, "cell-products/:id/signatures")
    static let cellProductSignatures = APIRoute(.get, "cell-products/:id/signatures")

    static let signatureRoutes: [APIRoute] = [
        signEnrolment, enrolmentSignatures, signVisit, visitSignatures, signScreening, screeningSignatures, signCellProduct,
        cellProductSignatures,
    ]
}
