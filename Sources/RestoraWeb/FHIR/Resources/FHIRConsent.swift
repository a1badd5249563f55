import Foundation
import RestoraDomain

/// FHIR Consent (https://hl7.org/fhir/R4/consent.html) = a Restora consent record (a participant's signature on
/// one consent-document version), with the enrolment's withdrawals applied: a withdrawal of follow-up or of the
/// use of data makes it `inactive`, as does a later consent on a newer version (it supersedes this one); a
/// withdrawal (any scope) is a nested `deny` provision from the withdrawal's time. Read and search (patient,
/// _id, _lastUpdated), site-scoped. Read-only: consent is recorded at the JSON API's and web's doors.
struct FHIRConsentHandler: FHIRResourceHandler {
    let resourceType = "Consent"

    var searchParameters: [FHIRSearchParameter] {
        [FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the Patient (participant) who consented: Patient/<id>")]
    }

    var sortParameters: [String] { ["_id", "_lastUpdated"] }

    static let withdrawalScopeSystem = "urn:restora:consent-withdrawal-scope"
    static let methodExtension = "urn:restora:fhir:consent-method"
    static let witnessExtension = "urn:restora:fhir:consent-witness"

    // MARK: The mapping (pure; BULK streams $export with it)

    /// The Consent of a consent record. `withdrawals`: the enrolment's withdrawals; `superseded`: a later consent
    /// of the same enrolment exists (on a newer version); `site`: for `organization`; `document`: its title.
    static func resource(
        _ consent: ConsentRecord, withdrawals: [ConsentWithdrawal], superseded: Bool, site: Site?, document: ConsentDocument?
    ) -> FHIRJSON {
        let widest = withdrawals.max { ($0.scope.rank, $0.withdrawnAt) < ($1.scope.rank, $1.withdrawnAt) }
        let endsStudy = widest.map { $0.scope != .treatment } ?? false
        let status = endsStudy || superseded ? "inactive" : "active"
        let documentName = document.map { "\($0.title), version \(consent.documentVersion)" } ?? "consent document version \(consent.documentVersion)"
        let denials: [FHIRJSON] = withdrawals.sorted { $0.withdrawnAt < $1.withdrawnAt }.map { w in
            .object([
                "type": .string("deny"),
                "period": .object(["start": .string(FHIRPatientSupport.storedInstant(w.withdrawnAt))]),
                "action": .array([.object([
                    "coding": .array([.object([
                        "system": .string(withdrawalScopeSystem), "code": .string(w.scope.rawValue), "display": .string(w.scope.label),
                    ])]),
                    "text": w.reason.map(FHIRJSON.string),
                ])]),
            ])
        }
        var extensions: [FHIRJSON] = [.object(["url": .string(methodExtension), "valueCode": .string(consent.method.rawValue)])]
        if let witness = consent.witnessName {
            extensions.append(.object(["url": .string(witnessExtension), "valueString": .string(witness)]))
        }
        return .object([
            "resourceType": .string("Consent"),
            "id": .string(consent.id.rawValue),
            "extension": .array(extensions),
            "status": .string(status),
            "scope": .object(["coding": .array([.object([
                "system": .string("http://terminology.hl7.org/CodeSystem/consentscope"), "code": .string("research"), "display": .string("Research"),
            ])])]),
            "category": .array([
                .object(["coding": .array([.object([
                    "system": .string("http://loinc.org"), "code": .string("59284-0"), "display": .string("Patient Consent"),
                ])])]),
                .object(["coding": .array([.object([
                    "system": .string("http://terminology.hl7.org/CodeSystem/consentcategorycodes"), "code": .string("research"),
                    "display": .string("research information access"),
                ])])]),
            ]),
            "patient": FHIRPatientSupport.reference("Patient", consent.participantID.rawValue),
            "dateTime": .string(FHIRPatientSupport.storedInstant(consent.signedAt)),
            "performer": .array([.object(["display": .string(consent.signerName)])]),
            "organization": site.map { site in
                .array([.object([
                    "identifier": .object(["system": .string(FHIRPatientSupport.siteSystem), "value": .string(site.code)]),
                    "display": .string(site.name),
                ])])
            },
            "sourceReference": .object([
                "type": .string("DocumentReference"),
                "identifier": .object([
                    "system": .string(FHIRPatientSupport.consentDocumentSystem), "value": .string(consent.documentID.rawValue),
                ]),
                "display": .string("\(documentName) (SHA-256 \(consent.documentSHA256))"),
            ]),
            "policy": .array([.object([
                "uri": .string("\(FHIRPatientSupport.consentDocumentSystem):\(consent.documentID.rawValue)"),
            ])]),
            "verification": .array([.object([
                "verified": .bool(true),
                "verificationDate": .string(FHIRPatientSupport.storedInstant(consent.recordedAt)),
            ])]),
            "provision": .object([
                "type": .string("permit"),
                "period": .object([
                    "start": .string(FHIRPatientSupport.storedInstant(consent.signedAt)),
                    "end": widest.flatMap { endsStudy ? .string(FHIRPatientSupport.storedInstant($0.withdrawnAt)) : nil },
                ]),
                "provision": denials.isEmpty ? nil : .array(denials),
            ]),
        ])
    }

    // MARK: Interactions

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRPatientSupport.isValidID(id),
              let consent = try await context.repositories.fhirPatientSearch.consent(Identifier(id)) else {
            throw FHIRError.notFound(resourceType, id)
        }
        let participant = try await context.repositories.participants.get(consent.value.participantID)
        guard context.user.canSee(site: participant.value.siteID) else { throw FHIRError.notFound(resourceType, id) }
        return try await Self.stored([consent], in: context)[0]
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let sort = try FHIRPatientSupport.sort(query, keys: ["_id": .id, "_lastUpdated": .lastUpdated], type: resourceType)
        var c = FHIRPatientSearchCriteria.Consents(siteIDs: context.visibleSites)
        for criterion in query.criteria {
            switch criterion.name {
            case "_id": c.ids.append(try FHIRPatientSupport.ids(criterion, resourceType))
            case "_lastUpdated":
                try FHIRPatientSupport.requireNoModifier(criterion, resourceType)
                c.lastUpdated.append(try criterion.values.map { try FHIRPatientSupport.dateRange($0, parameter: "_lastUpdated", days: false) })
            case "patient":
                c.participants.append(try FHIRPatientSupport.referenceIDs(criterion, type: "Patient", in: resourceType))
            default:
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "Consent has no search parameter \(criterion.name)")
            }
        }
        c.sort = sort.key
        c.descending = sort.descending
        c.after = try FHIRPatientSupport.decodeCursor(query.cursor, sort)
        c.limit = query.count + 1
        let found = query.count == 0 ? [] : try await context.repositories.fhirPatientSearch.consents(c)
        let (items, next) = FHIRPatientSupport.page(found, count: query.count, sort: sort) {
            .init(sortValue: FHIRPatientSupport.sortValue(sort.key, updatedAt: $0.updatedAt), id: $0.value.id.rawValue)
        }
        return FHIRSearchPage(resources: try await Self.stored(items, in: context), nextCursor: next, total: nil)
    }

    /// Each consent with its enrolment's withdrawals and later consents, its site and its document.
    static func stored(_ consents: [Versioned<ConsentRecord>], in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        guard !consents.isEmpty else { return [] }
        let sites = Dictionary(try await context.repositories.sites.list().map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        var result: [FHIRStoredResource] = []
        var withdrawalsByEnrolment: [Identifier<Enrolment>: [ConsentWithdrawal]] = [:]
        var consentsByEnrolment: [Identifier<Enrolment>: [ConsentRecord]] = [:]
        var documents: [Identifier<ConsentDocument>: ConsentDocument] = [:]
        var participantSites: [Identifier<Participant>: Identifier<Site>] = [:]
        for stored in consents {
            let consent = stored.value
            if withdrawalsByEnrolment[consent.enrolmentID] == nil {
                withdrawalsByEnrolment[consent.enrolmentID] = try await context.repositories.consents.withdrawals(enrolment: consent.enrolmentID).map(\.value)
                consentsByEnrolment[consent.enrolmentID] = try await context.repositories.consents.consents(enrolment: consent.enrolmentID).map(\.value)
            }
            if documents[consent.documentID] == nil {
                documents[consent.documentID] = try? await context.repositories.consents.document(consent.documentID).value
            }
            if participantSites[consent.participantID] == nil {
                participantSites[consent.participantID] = try? await context.repositories.participants.get(consent.participantID).value.siteID
            }
            result.append(Self.stored(stored, withdrawals: withdrawalsByEnrolment[consent.enrolmentID] ?? [],
                                      enrolmentConsents: consentsByEnrolment[consent.enrolmentID] ?? [],
                                      site: participantSites[consent.participantID].flatMap { sites[$0] }, document: documents[consent.documentID]))
        }
        return result
    }

    /// One consent with its enrolment's withdrawals and consent records (a later one supersedes it); lastUpdated is
    /// the latest of the record's and its withdrawals' (BULK exports with it).
    static func stored(_ stored: Versioned<ConsentRecord>, withdrawals: [ConsentWithdrawal], enrolmentConsents: [ConsentRecord], site: Site?,
                       document: ConsentDocument?) -> FHIRStoredResource {
        let consent = stored.value
        let superseded = enrolmentConsents.contains {
            $0.id != consent.id && ($0.documentVersion, $0.signedAt) > (consent.documentVersion, consent.signedAt)
        }
        let lastUpdated = ([stored.updatedAt] + withdrawals.map(\.recordedAt)).max() ?? stored.updatedAt
        return FHIRStoredResource(
            type: "Consent", id: consent.id.rawValue, versionID: stored.version, lastUpdated: lastUpdated,
            resource: resource(consent, withdrawals: withdrawals, superseded: superseded, site: site, document: document))
    }
}
