import Foundation
import Hummingbird
import RestoraDomain

/// What screening reads besides observations (issue #14 item 1), through `ScreeningInputsEntry` like the
/// participant page's forms and the demo seeder:
/// - `POST/GET /participants/:id/concomitant-medications`
/// - `GET/PUT /participants/:id/reviewed-sections` (the whole set; a section left out is withdrawn)
/// - `PUT /participants/:id/menopausal-status`, `POST /participants/:id/diagnoses`, `POST /participants/:id/history`
///   (one change to the participant each; `If-Match` is checked when sent).
/// Another site's participant is 404 before any role check; monitors and auditors get 403; a refused value
/// is 422 naming the field, and nothing is written.
struct ScreeningInputsController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var entry: ScreeningInputsEntry { ScreeningInputsEntry(repositories: repositories, ids: dependencies.ids) }
    var today: CalendarDate { CalendarDate(dependencies.clock.now()) }

    struct MedicationInput: Decodable {
        var drug: Coding
        var drugClass: String?
        var dose: String?
        var start: CalendarDate?
        var stop: CalendarDate?
        var adjunct: Bool?
        var medication: ConcomitantMedication {
            ConcomitantMedication(drug: drug, drugClass: drugClass, dose: dose, start: start, stop: stop, adjunct: adjunct ?? false)
        }
    }

    struct MedicationResponse: Encodable {
        var id: Identifier<ConcomitantMedicationRecord>
        var participantID: Identifier<Participant>
        var drug: Coding
        var drugClass: String?
        var dose: String?
        var start: CalendarDate?
        var stop: CalendarDate?
        var adjunct: Bool
        var version: Int
        var createdAt: Date

        init(_ stored: Versioned<ConcomitantMedicationRecord>) {
            let m = stored.value.medication
            id = stored.value.id
            participantID = stored.value.participantID
            drug = m.drug
            drugClass = m.drugClass
            dose = m.dose
            start = m.start
            stop = m.stop
            adjunct = m.adjunct
            version = stored.version
            createdAt = stored.createdAt
        }
    }

    struct StopInput: Decodable {
        var stop: CalendarDate
        var reason: String?
    }

    struct ReviewsInput: Decodable {
        /// Section names as text, so an unknown one is a 422 naming it (not a malformed body).
        var sections: [String]
        var reason: String?
    }

    /// One current review; the endpoints answer the list of them.
    struct ReviewResponse: Encodable {
        var section: ParticipantRecord.Section
        var reviewedBy: Actor
        var reviewedAt: Date
    }

    struct MenopauseInput: Decodable {
        var postmenopausal: Bool?
        var reason: String?
    }

    struct DiagnosisInput: Decodable {
        var code: Coding
        var onset: CalendarDate?
        var note: String?
        var reason: String?
    }

    struct HistoryInput: Decodable {
        var kind: HistoryItem.Kind
        var code: Coding?
        var description: String
        var date: CalendarDate?
        var outcome: String?
        var reason: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.recordConcomitantMedication, use: createMedication)
        group.on(.concomitantMedications, use: listMedications)
        group.on(.reviewedSections, use: listReviews)
        group.on(.setReviewedSections, use: setReviews)
        group.on(.setMenopausalStatus, use: setMenopause)
        group.on(.addDiagnosis, use: addDiagnosis)
        group.on(.addHistoryItem, use: addHistory)
        group.on(.stopConcomitantMedication, use: stopMedication)
    }

    /// The participant (404 if not visible) and, for writes, the writer check (403).
    private func participant(_ context: AppRequestContext, writing: Bool) async throws -> (UserAccount, Versioned<Participant>) {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        if writing { try Access.requireWriter(user) }
        return (user, participant)
    }

    @Sendable func createMedication(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let (user, participant) = try await participant(context, writing: true)
        let input = try await request.decodeJSON(MedicationInput.self, limit: config.maxBodyBytes)
        let stored = try await entry.recordMedication(input.medication, for: participant.value.id, today: today,
                                                      context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(MedicationResponse(stored), status: .created, version: stored.version)
    }

    /// `POST /concomitant-medications/:id/stop`: the medication's participant must be visible (404), the user a
    /// writer (403); `If-Match` is checked when sent.
    @Sendable func stopMedication(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = Identifier<ConcomitantMedicationRecord>(try context.parameters.require("id"))
        let stored = try await repositories.concomitantMedications.get(id)
        _ = try await Access.participant(stored.value.participantID, for: user, in: repositories)
        try Access.requireWriter(user)
        let input = try await request.decodeJSON(StopInput.self, limit: config.maxBodyBytes)
        let expected = request.headers[.ifMatch] == nil ? nil : try request.expectedVersion()
        let stopped = try await entry.stopMedication(id, of: stored.value.participantID, on: input.stop, expectedVersion: expected,
                                                     context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(MedicationResponse(stopped), version: stopped.version)
    }

    @Sendable func listMedications(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, participant) = try await participant(context, writing: false)
        let items = try await repositories.concomitantMedications.list(participant: participant.value.id)
        return try JSONResponse.make(items.map(MedicationResponse.init))
    }

    @Sendable func listReviews(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, participant) = try await participant(context, writing: false)
        let reviews = try await repositories.sectionReviews.list(participant: participant.value.id)
            .sorted { $0.value.section.order < $1.value.section.order }
        return try JSONResponse.make(Self.reviews(reviews))
    }

    @Sendable func setReviews(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let (user, participant) = try await participant(context, writing: true)
        let input = try await request.decodeJSON(ReviewsInput.self, limit: config.maxBodyBytes)
        let sections = try Self.sections(input.sections)
        let reviews = try await entry.setReviewedSections(sections, for: participant.value.id, at: dependencies.clock.now(),
                                                          context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(Self.reviews(reviews))
    }

    /// Each name must be a section of `ParticipantRecord.Section`; the first unknown one is named.
    static func sections(_ names: [String]) throws -> Set<ParticipantRecord.Section> {
        var sections: Set<ParticipantRecord.Section> = []
        for (index, name) in names.enumerated() {
            guard let section = ParticipantRecord.Section(rawValue: name) else {
                let known = ParticipantRecord.Section.allCases.map(\.rawValue).joined(separator: ", ")
                throw DomainError.invalidValue(field: "sections[\(index)]", message: "\"\(name)\" is not a section of the record (one of \(known))")
            }
            sections.insert(section)
        }
        return sections
    }

    static func reviews(_ reviews: [Versioned<SectionReview>]) -> [ReviewResponse] {
        reviews.map { ReviewResponse(section: $0.value.section, reviewedBy: $0.value.reviewedBy, reviewedAt: $0.value.reviewedAt) }
    }

    @Sendable func setMenopause(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let (user, participant) = try await participant(context, writing: true)
        let input = try await request.decodeJSON(MenopauseInput.self, limit: config.maxBodyBytes)
        return try await amend(participant, .postmenopausal(input.postmenopausal), request: request, context: context, user: user, reason: input.reason)
    }

    @Sendable func addDiagnosis(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let (user, participant) = try await participant(context, writing: true)
        let input = try await request.decodeJSON(DiagnosisInput.self, limit: config.maxBodyBytes)
        let diagnosis = Diagnosis(code: input.code, onset: input.onset, note: input.note)
        return try await amend(participant, .diagnosis(diagnosis), request: request, context: context, user: user, reason: input.reason)
    }

    @Sendable func addHistory(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let (user, participant) = try await participant(context, writing: true)
        let input = try await request.decodeJSON(HistoryInput.self, limit: config.maxBodyBytes)
        let item = HistoryItem(kind: input.kind, code: input.code, description: input.description, date: input.date, outcome: input.outcome)
        return try await amend(participant, .history(item), request: request, context: context, user: user, reason: input.reason)
    }

    private func amend(
        _ participant: Versioned<Participant>, _ change: ScreeningInputsEntry.ParticipantChange, request: Request,
        context: AppRequestContext, user: UserAccount, reason: String?
    ) async throws -> Response {
        let expected = request.headers[.ifMatch] == nil ? nil : try request.expectedVersion()
        let stored = try await entry.amend(participant.value.id, [change], expectedVersion: expected, today: today,
                                           context: context.audit(user, reason: reason))
        return try JSONResponse.make(ParticipantResponse(stored), version: stored.version)
    }
}
