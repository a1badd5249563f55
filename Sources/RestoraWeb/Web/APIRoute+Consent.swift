/// E-consent (issue #16 item 2, docs/consent.md): a program's versioned consent documents (issue, list,
/// download), the consents and withdrawals of an enrolment, and the re-consent tasks.
extension APIRoute {
    static let issueConsentDocument = APIRoute(.post, "programs/:id/consent-documents")
    static let consentDocuments = APIRoute(.get, "programs/:id/consent-documents")
    static let consentDocument = APIRoute(.get, "consent-documents/:id")
    static let recordConsent = APIRoute(.post, "enrolments/:id/consents")
    static let consents = APIRoute(.get, "enrolments/:id/consents")
    static let withdrawConsent = APIRoute(.post, "enrolments/:id/consent-withdrawals")
    static let consentWithdrawals = APIRoute(.get, "enrolments/:id/consent-withdrawals")
    static let reconsentTasks = APIRoute(.get, "consent-tasks")

    static let consentRoutes: [APIRoute] = [
        issueConsentDocument, consentDocuments, consentDocument, recordConsent, consents, withdrawConsent, consentWithdrawals, reconsentTasks,
    ]
}

extension PageRoute {
    static let consentDocumentsPage = PageRoute("/programs/:id/consent")
    static let consentDocumentFilePage = PageRoute("/consent-documents/:id/file")
    static let recordConsentPage = PageRoute("/enrolments/:id/consent")
    static let withdrawConsentPage = PageRoute("/enrolments/:id/consent-withdrawal")
}
