import Foundation
import RestoraDomain

/// FHIR ResearchSubject (https://hl7.org/fhir/R4/researchsubject.html) = a Restora enrolment: its status mapped
/// to the R4 research-subject-status codes (the Restora status kept in an extension), the study (program), the
/// individual (participant), the arm — only for roles the protocol's blinding lets see it; a blinded role gets
/// the kit code instead, exactly as the JSON API's `AllocationDisclosure` — and the latest consent. Read and
/// search (study, patient/individual, status, _id, _lastUpdated) in SQL, site-scoped. Read-only through FHIR:
/// status changes go through EnrolmentTransitions at the JSON API's and the web's doors.
struct FHIRResearchSubjectHandler: FHIRResourceHandler {
    let resourceType = "ResearchSubject"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "study", kind: .reference, documentation: "the ResearchStudy (program): ResearchStudy/<id>"),
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the Patient (participant): Patient/<id>"),
            FHIRSearchParameter(name: "individual", kind: .reference, documentation: "the same as patient"),
            FHIRSearchParameter(name: "status", kind: .token,
                                documentation: "R4 research-subject-status code (each Restora enrolment status maps to one; docs/fhir.md)"),
        ]
    }

    var sortParameters: [String] { ["_id", "_lastUpdated"] }

    static let statusSystem = "http://hl7.org/fhir/research-subject-status"
    static let restoraStatusExtension = "urn:restora:fhir:enrolment-status"
    static let kitCodeExtension = "urn:restora:fhir:kit-code"
    static let sortKeys: [String: FHIRPatientSearchCriteria.SortKey] = ["_id": .id, "_lastUpdated": .lastUpdated]

    /// Restora enrolment status → R4 ResearchSubject.status.
    static func status(_ status: EnrolmentStatus) -> String {
        switch status {
        case .prescreened: "potential-candidate"
        case .screening: "screening"
        case .eligible: "eligible"
        case .screenFailed: "ineligible"
        case .consented: "pending-on-study"
        case .enrolled: "on-study"
        case .onTreatment: "on-study-intervention"
        case .followUp: "follow-up"
        case .completed: "off-study"
        case .withdrawn: "withdrawn"
        case .lostToFollowUp: "off-study"
        }
    }

    /// What the reader may see of the arm: the arm id, or (blinded) the kit code only.
    struct ArmView: Sendable, Hashable {
        var arm: String?
        var kitCode: String?

        static let hidden = ArmView(arm: nil, kitCode: nil)
    }

    // MARK: The mapping (pure; BULK streams $export with it)

    /// The ResearchSubject of an enrolment. `arm`: what the reader may see (`.hidden` shows no arm: BULK
    /// should pass the arm only for an unblinded requester); `consentID`: the latest consent record.
    static func resource(_ enrolment: Enrolment, createdAt: Date, arm: ArmView, consentID: String?) -> FHIRJSON {
        let start = enrolment.transitions.first?.at ?? createdAt
        let end = enrolment.status.isTerminal ? enrolment.transitions.last?.at : nil
        var extensions: [FHIRJSON] = [
            .object(["url": .string(restoraStatusExtension), "valueCode": .string(enrolment.status.rawValue)]),
        ]
        if let version = enrolment.protocolVersion {
            extensions.append(.object(["url": .string(FHIRResearchStudyHandler.protocolVersionExtension), "valueString": .string(version)]))
        }
        if let kit = arm.kitCode {
            extensions.append(.object(["url": .string(kitCodeExtension), "valueString": .string(kit)]))
        }
        return .object([
            "resourceType": .string("ResearchSubject"),
            "id": .string(enrolment.id.rawValue),
            "extension": .array(extensions),
            "identifier": .array([.object(["system": .string(FHIRPatientSupport.enrolmentSystem), "value": .string(enrolment.id.rawValue)])]),
            "status": .string(status(enrolment.status)),
            "period": .object([
                "start": .string(FHIRPatientSupport.storedInstant(start)),
                "end": end.map { .string(FHIRPatientSupport.storedInstant($0)) },
            ]),
            "study": FHIRPatientSupport.reference("ResearchStudy", enrolment.programID.rawValue),
            "individual": FHIRPatientSupport.reference("Patient", enrolment.participantID.rawValue),
            "assignedArm": arm.arm.map(FHIRJSON.string),
            "actualArm": arm.arm.map(FHIRJSON.string),
            "consent": consentID.map { FHIRPatientSupport.reference("Consent", $0) },
        ])
    }

    /// The arm of an enrolment as `role` may see it: the allocation's disclosure (blinding, the user's own
    /// emergency unblindings) when randomised; otherwise hidden when the scheme blinds the role, else the arm.
    static func armView(_ e: Enrolment, allocation: RandomisationAllocation?, scheme: RandomisationScheme?, role: UserRole, userID: String,
                        unblindings: [EmergencyUnblinding]) -> ArmView {
        if let allocation {
            let disclosure = AllocationDisclosure.make(allocation, scheme: scheme, role: role, userID: userID, unblindings: unblindings)
            return ArmView(arm: disclosure.armID, kitCode: disclosure.kitCode)
        }
        if scheme?.blinding.hides(armFrom: role) == true { return .hidden }
        return ArmView(arm: e.armID, kitCode: nil)
    }

    /// The latest consent record of each enrolment (highest document version, then latest signature).
    static func latestConsents(_ consents: [ConsentRecord]) -> [Identifier<Enrolment>: ConsentRecord] {
        var latest: [Identifier<Enrolment>: ConsentRecord] = [:]
        for consent in consents {
            if let known = latest[consent.enrolmentID],
               (known.documentVersion, known.signedAt) >= (consent.documentVersion, consent.signedAt) { continue }
            latest[consent.enrolmentID] = consent
        }
        return latest
    }

    // MARK: Interactions

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRPatientSupport.isValidID(id) else { throw FHIRError.notFound(resourceType, id) }
        let enrolment: Versioned<Enrolment>
        do {
            enrolment = try await context.repositories.enrolments.get(Identifier(id))
        } catch RepositoryError.notFound {
            throw FHIRError.notFound(resourceType, id)
        }
        guard context.user.canSee(site: enrolment.value.siteID) else { throw FHIRError.notFound(resourceType, id) }
        return try await Self.stored([enrolment], in: context)[0]
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let sort = try FHIRPatientSupport.sort(query, keys: Self.sortKeys, type: resourceType)
        var criteria = try Self.criteria(query, visibleSites: context.visibleSites)
        criteria.sort = sort.key
        criteria.descending = sort.descending
        criteria.after = try FHIRPatientSupport.decodeCursor(query.cursor, sort)
        criteria.limit = query.count + 1
        let found = query.count == 0 ? [] : try await context.repositories.fhirPatientSearch.researchSubjects(criteria)
        let (items, next) = FHIRPatientSupport.page(found, count: query.count, sort: sort) {
            .init(sortValue: FHIRPatientSupport.sortValue(sort.key, updatedAt: $0.updatedAt), id: $0.value.id.rawValue)
        }
        return FHIRSearchPage(resources: try await Self.stored(items, in: context), nextCursor: next, total: nil)
    }

    static func criteria(_ query: FHIRSearchQuery, visibleSites: Set<Identifier<Site>>?) throws -> FHIRPatientSearchCriteria.Subjects {
        var c = FHIRPatientSearchCriteria.Subjects(siteIDs: visibleSites)
        for criterion in query.criteria {
            switch criterion.name {
            case "_id": c.ids.append(try FHIRPatientSupport.ids(criterion, "ResearchSubject"))
            case "_lastUpdated":
                try FHIRPatientSupport.requireNoModifier(criterion, "ResearchSubject")
                c.lastUpdated.append(try criterion.values.map { try FHIRPatientSupport.dateRange($0, parameter: "_lastUpdated", days: false) })
            case "study":
                c.programs.append(try FHIRPatientSupport.referenceIDs(criterion, type: "ResearchStudy", in: "ResearchSubject"))
            case "patient", "individual":
                c.participants.append(try FHIRPatientSupport.referenceIDs(criterion, type: "Patient", in: "ResearchSubject"))
            case "status":
                let negate: Bool
                switch criterion.modifier {
                case nil: negate = false
                case "not": negate = true
                default: throw FHIRPatientSupport.unsupported(criterion, "ResearchSubject")
                }
                var codes: Set<String> = []
                for value in criterion.values {
                    let (system, code) = FHIRPatientSupport.token(value)
                    if let system, !system.isEmpty, system != statusSystem { continue }
                    guard Self.knownStatusCodes.contains(code) else {
                        throw FHIRError.invalid("status: \(code) is not a research-subject-status code (\(knownStatusCodes.sorted().joined(separator: ", ")))")
                    }
                    codes.insert(code)
                }
                c.statuses.append(EnrolmentStatus.allCases.filter { codes.contains(status($0)) != negate })
            default:
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "ResearchSubject has no search parameter \(criterion.name)")
            }
        }
        return c
    }

    static let knownStatusCodes: Set<String> = [
        "candidate", "eligible", "follow-up", "ineligible", "not-registered", "off-study", "on-study", "on-study-intervention",
        "on-study-observation", "pending-on-study", "potential-candidate", "screening", "withdrawn",
    ]

    /// The resources of visible enrolments, with each one's arm as this user may see it and its latest consent
    /// (a few batched reads per page, not per enrolment, except the allocation of randomised ones).
    static func stored(_ enrolments: [Versioned<Enrolment>], in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        guard !enrolments.isEmpty else { return [] }
        var consentCriteria = FHIRPatientSearchCriteria.Consents(siteIDs: nil)
        consentCriteria.enrolments = [enrolments.map(\.value.id.rawValue)]
        consentCriteria.limit = 5_000
        let consents = try await context.repositories.fhirPatientSearch.consents(consentCriteria)
        let latest = latestConsents(consents.map(\.value))
        let allocations = try await context.repositories.randomisation.allocations(enrolments: enrolments.map(\.value.id))
        let allocationByEnrolment = Dictionary(allocations.map { ($0.value.enrolmentID, $0.value) }, uniquingKeysWith: { a, _ in a })
        var programs: [Identifier<Program>: Program] = [:]
        var result: [FHIRStoredResource] = []
        for enrolment in enrolments {
            let e = enrolment.value
            if programs[e.programID] == nil { programs[e.programID] = try? await context.repositories.programs.get(e.programID).value }
            let scheme = programs[e.programID].flatMap { try? context.dependencies.catalog.definition(for: e, program: $0).randomisation }
            let allocation = allocationByEnrolment[e.id]
            let unblindings = allocation == nil ? [] : try await context.repositories.randomisation.unblindings(enrolment: e.id).map(\.value)
            let arm = armView(e, allocation: allocation, scheme: scheme, role: context.user.role, userID: context.user.actor.userID,
                              unblindings: unblindings)
            result.append(FHIRStoredResource(
                type: "ResearchSubject", id: e.id.rawValue, enrolment,
                resource: resource(e, createdAt: enrolment.createdAt, arm: arm, consentID: latest[e.id]?.id.rawValue)))
        }
        return result
    }
}
