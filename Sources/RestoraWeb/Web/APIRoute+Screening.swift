/// Screening routes (issue #14 item 1, docs/screening-inputs.md): screening an enrolment, and what screening
/// reads besides observations.
extension APIRoute {
    static let screen = APIRoute(.post, "enrolments/:id/screenings")
    static let screenings = APIRoute(.get, "enrolments/:id/screenings")
    static let recordConcomitantMedication = APIRoute(.post, "participants/:id/concomitant-medications")
    static let concomitantMedications = APIRoute(.get, "participants/:id/concomitant-medications")
    static let reviewedSections = APIRoute(.get, "participants/:id/reviewed-sections")
    static let setReviewedSections = APIRoute(.put, "participants/:id/reviewed-sections")
    static let setMenopausalStatus = APIRoute(.put, "participants/:id/menopausal-status")
    static let addDiagnosis = APIRoute(.post, "participants/:id/diagnoses")
    static let addHistoryItem = APIRoute(.post, "participants/:id/history")
    static let stopConcomitantMedication = APIRoute(.post, "concomitant-medications/:id/stop")

    static let screening: [APIRoute] = [
        screen, screenings, recordConcomitantMedication, concomitantMedications, reviewedSections, setReviewedSections,
        setMenopausalStatus, addDiagnosis, addHistoryItem, stopConcomitantMedication,
    ]
}
