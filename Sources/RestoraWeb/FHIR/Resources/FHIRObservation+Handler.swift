import Foundation
import RestoraDomain

/// Observation read, search (SQL, site-scoped, keyset-paged), create (ClinicalEntry.record, as the JSON API)
/// and update (ClinicalEntry.correct with a reason).
extension FHIRObservationHandler {
    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "The participant (Patient/<id> or <id>)"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "The participant (Patient/<id> or <id>)"),
            FHIRSearchParameter(name: "code", kind: .token, documentation: "system|code, code, or system| (LOINC, SNOMED CT, Restora local codes)"),
            FHIRSearchParameter(name: "date", kind: .date, documentation: "effectiveDateTime, with eq, ne, lt, le, gt, ge, sa, eb"),
            FHIRSearchParameter(name: "category", kind: .token, documentation: "laboratory, imaging, survey, exam, social-history (observation-category)"),
            FHIRSearchParameter(name: "value-quantity", kind: .quantity, documentation: "[prefix]number|system|code (UCUM), e.g. ge150|http://unitsofmeasure.org|mg/dL"),
        ]
    }
    var sortParameters: [String] { ["date", "_lastUpdated", "_id"] }
    var supportsCreate: Bool { true }
    var supportsUpdate: Bool { true }

    static func siteIDs(_ context: FHIRInteractionContext) -> [Identifier<Site>]? { context.visibleSites.map { Array($0) } }

    // MARK: read

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        let stored = try await Self.current(id: id, in: context)
        let changes = try await Self.boneDensityChanges([stored.value], in: context)
        return Self.stored(stored, change: changes[stored.value.id])
    }

    /// The observation if the user's sites include its participant's; 404 otherwise.
    static func current(id: String, in context: FHIRInteractionContext) async throws -> Versioned<Observation> {
        guard FHIRClinicalSearch.isValidID(id) else { throw FHIRError.notFound("Observation", id) }
        let rows = try await context.repositories.fhirObservations.search(FHIRTableSearch(
            condition: .text(.id, .equal, id), siteIDs: siteIDs(context), sort: .id, limit: 1))
        guard let row = rows.first else { throw FHIRError.notFound("Observation", id) }
        return row.record
    }

    // MARK: search

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let condition = FHIRTableCondition<FHIRObservationColumn>.all(try query.criteria.map(Self.condition))
        let sort = try FHIRClinicalSearch.sort(query, allowed: sortParameters)
        let order: FHIRObservationSort = switch sort?.name {
        case "date": .effective
        case "_lastUpdated": .lastUpdated
        default: .id
        }
        let descending = sort?.descending ?? false
        let siteIDs = Self.siteIDs(context)
        let (page, next, total) = try await FHIRClinicalSearch.page(
            query, order: order.rawValue + (descending ? "-desc" : ""),
            count: { try await context.repositories.fhirObservations.count(condition, siteIDs: siteIDs) },
            rows: { after, limit in
                try await context.repositories.fhirObservations.search(FHIRTableSearch(
                    condition: condition, siteIDs: siteIDs, sort: order, descending: descending, after: after, limit: limit))
            },
            keyset: { FHIRTableKeyset(key: $0.sortKey, id: $0.record.value.id.rawValue) })
        let changes = try await Self.boneDensityChanges(page.map(\.record.value), in: context)
        return FHIRSearchPage(resources: page.map { Self.stored($0.record, change: changes[$0.record.value.id]) }, nextCursor: next, total: total)
    }

    /// One search parameter (its comma-separated values ORed) as a condition.
    static func condition(_ criterion: FHIRSearchCriterion) throws -> FHIRTableCondition<FHIRObservationColumn> {
        let name = criterion.name
        func noModifier() throws {
            if let modifier = criterion.modifier {
                throw FHIRError.invalid("the modifier :\(modifier) is not supported on \(name)")
            }
        }
        switch name {
        case "_id":
            try noModifier()
            return .any(criterion.values.map { .text(.id, .equal, $0) })
        case "_lastUpdated":
            try noModifier()
            return .any(try criterion.values.map { try FHIRClinicalSearch.instantCondition($0, column: .lastUpdated, parameter: name) })
        case "patient", "subject":
            if let modifier = criterion.modifier, modifier != "Patient" {
                throw FHIRError.invalid("the modifier :\(modifier) is not supported on \(name) (only :Patient)")
            }
            return .any(criterion.values.compactMap { FHIRClinicalSearch.referenceID($0, type: "Patient") }.map { .text(.participantID, .equal, $0) })
        case "code":
            try noModifier()
            return .any(criterion.values.map { value in
                let (uri, code) = FHIRClinicalSearch.token(value)
                var parts: [FHIRTableCondition<FHIRObservationColumn>] = []
                if let uri {
                    guard let system = FHIRCodeSystems.system(uri: uri) else { return .never }
                    parts.append(.text(.codeSystem, .equal, system.rawValue))
                }
                if let code { parts.append(.text(.code, .equal, code)) }
                return parts.isEmpty ? .never : .all(parts)
            })
        case "date":
            try noModifier()
            return .any(try criterion.values.map { try FHIRClinicalSearch.instantCondition($0, column: .effective, parameter: name) })
        case "category":
            try noModifier()
            return .any(criterion.values.map { value in
                let (uri, code) = FHIRClinicalSearch.token(value)
                if let uri, uri != FHIRCodeSystems.observationCategory { return .never }
                guard let code else { return .always }
                return FHIRCodeSystems.categoryCondition(code)
            })
        case "value-quantity":
            try noModifier()
            return .any(try criterion.values.map(quantityCondition))
        default:
            throw FHIRError.invalid("Observation has no search parameter \(name)")
        }
    }

    /// `[prefix]number|system|code`: the value in the quantity column (only quantity values), the unit the
    /// stored UCUM code when given; a system other than UCUM matches nothing.
    static func quantityCondition(_ value: String) throws -> FHIRTableCondition<FHIRObservationColumn> {
        let parts = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 3 else {
            throw FHIRError.invalid("value-quantity=\(value) is not [prefix]number|system|code")
        }
        let (prefix, number) = FHIRClinicalSearch.prefixed(parts[0])
        var all: [FHIRTableCondition<FHIRObservationColumn>] = [
            .text(.valueKind, .equal, "quantity"),
            try FHIRClinicalSearch.numberCondition(prefix, number, column: .valueNumber, parameter: "value-quantity"),
        ]
        if parts.count == 3 {
            if !parts[1].isEmpty, parts[1] != FHIRCodeSystems.ucum { return .never }
            if !parts[2].isEmpty { all.append(.text(.valueUnit, .equal, parts[2])) }
        }
        return .all(all)
    }

    /// The least-significant-change verdict of each DXA BMD among `observations` against the participant's
    /// previous BMD at the same site (the precision: the U defaults of REFERENCE.md C3, labelled as such).
    static func boneDensityChanges(
        _ observations: [Observation], in context: FHIRInteractionContext
    ) async throws -> [Identifier<Observation>: BoneDensityChangeAssessment] {
        var result: [Identifier<Observation>: BoneDensityChangeAssessment] = [:]
        var histories: [String: [Observation]] = [:]
        for o in observations {
            guard let site = SkeletalSite.allCases.first(where: { ClinicalCodes.dxaBMD($0).sameConcept(as: o.code) }),
                  let current = o.value.quantity, current.unit == "g/cm2" else { continue }
            let key = "\(o.participantID.rawValue)#\(o.code.code)"
            if histories[key] == nil {
                histories[key] = try await context.repositories.observations.list(participant: o.participantID, code: o.code).map(\.value)
            }
            let previous = histories[key]!.filter { $0.effective < o.effective && $0.value.quantity?.unit == "g/cm2" }
                .max { $0.effective < $1.effective }
            guard let before = previous?.value.quantity?.value else { continue }
            result[o.id] = try? LeastSignificantChange.assess(site: site, previousGPerCm2: before, currentGPerCm2: current.value)
        }
        return result
    }

    // MARK: create and update

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let id = Identifier<Observation>(context.dependencies.ids.next())
        let observation = try Self.observation(from: resource, id: id, now: context.now)
        try await Self.requireParticipant(observation.participantID, in: context)
        let entry = ClinicalEntry(repositories: context.repositories, catalog: context.dependencies.catalog, ids: context.dependencies.ids)
        return try await Self.mappingDomainErrors {
            let lab = try await entry.labContext(for: observation)
            // The same refusal as the JSON API (a graded test in a unit the grading does not accept), before any write.
            _ = try ObservationInterpretation.of(observation, lab: lab)
            let (stored, _) = try await entry.record(observation, context: context.audit, idempotencyKey: nil, lab: lab)
            return Self.stored(stored)
        }
    }

    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let current = try await Self.current(id: id, in: context)
        if let bodyID = resource["id"]?.stringValue, bodyID != id {
            throw FHIRError.invalid("the resource id \(bodyID) is not the id in the URL (\(id))", at: "Observation.id")
        }
        let observation = try Self.observation(from: resource, id: current.value.id, now: context.now)
        guard observation.participantID == current.value.participantID else {
            throw FHIRError.unprocessable("an observation cannot move to another patient; record it anew for that patient",
                                          at: "Observation.subject", code: .businessRule)
        }
        var audit = context.audit
        if audit.trimmedReason == nil { audit.reason = Self.changeReason(resource) }
        guard audit.trimmedReason != nil else {
            throw FHIRError.unprocessable(
                "a correction of recorded data needs a reason: send it in the extension \(FHIRCodeSystems.changeReasonExtension) (valueString)",
                at: "Observation.extension", code: .required)
        }
        let entry = ClinicalEntry(repositories: context.repositories, catalog: context.dependencies.catalog, ids: context.dependencies.ids)
        let reason = audit
        return try await Self.mappingDomainErrors {
            let lab = try await entry.labContext(for: observation)
            _ = try ObservationInterpretation.of(observation, lab: lab)
            let (stored, _) = try await entry.correct(observation, expectedVersion: expectedVersion ?? current.version, context: reason, lab: lab)
            let changes = try await Self.boneDensityChanges([stored.value], in: context)
            return Self.stored(stored, change: changes[stored.value.id])
        }
    }

    static func changeReason(_ resource: FHIRJSON) -> String? {
        resource["extension"]?.arrayValue?.first { $0["url"]?.stringValue == FHIRCodeSystems.changeReasonExtension }?["valueString"]?.stringValue
    }

    /// 404 naming `Observation.subject` when the participant is unknown or of a site the user does not see.
    static func requireParticipant(_ id: Identifier<Participant>, in context: FHIRInteractionContext) async throws {
        let participant: Versioned<Participant>
        do {
            participant = try await context.repositories.participants.get(id)
        } catch RepositoryError.notFound {
            throw unknownParticipant(id)
        }
        if !isVisible(participant.value, in: context) { throw unknownParticipant(id) }
    }

    /// The refusal of an observation whose participant is unknown or of a site the user does not see.
    static func unknownParticipant(_ id: Identifier<Participant>) -> FHIRError {
        FHIRError(status: 404, code: .notFound, diagnostics: "Patient/\(id.rawValue) is not known", expression: ["Observation.subject"])
    }

    static func isVisible(_ participant: Participant, in context: FHIRInteractionContext) -> Bool {
        isVisible(site: participant.siteID, in: context)
    }

    static func isVisible(site: Identifier<Site>, in context: FHIRInteractionContext) -> Bool {
        context.visibleSites.map { $0.contains(site) } ?? true
    }

    /// Runs a domain write, turning the domain's field names into the FHIRPath of the element at fault.
    static func mappingDomainErrors<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch {
            throw fhirError(forDomain: error)
        }
    }

    /// A domain refusal naming a field as the FHIR error naming the element at fault; other errors as they are.
    static func fhirError(forDomain error: any Error) -> any Error {
        switch error {
        case let DomainError.invalidValue(field, message):
            let path = fhirPath(field)
            let text = message.replacingOccurrences(of: "visitID", with: "Observation.encounter")
                .replacingOccurrences(of: "enrolmentID", with: "the research-subject extension")
            return FHIRError(status: 422, code: .value, diagnostics: "\(path): \(text)", expression: [path])
        case let DomainError.protocolRule(rule, field, message):
            let path = fhirPath(field)
            return FHIRError(status: 422, code: .businessRule, diagnostics: "\(path): \(message) (protocol rule: \(rule))", expression: [path])
        default:
            return error
        }
    }

    static func fhirPath(_ field: String) -> String {
        switch field {
        case "code", "code.code", "code.system": return "Observation.code"
        case "value": return "Observation.value[x]"
        case "value.quantity": return "Observation.valueQuantity"
        case "value.quantity.unit", "unit": return "Observation.valueQuantity.code"
        case "value.quantity.value": return "Observation.valueQuantity.value"
        case "effective": return "Observation.effectiveDateTime"
        case "visitID": return "Observation.encounter"
        case "enrolmentID": return "Observation.extension"
        case "upperLimitOfNormal": return "Observation.referenceRange.high"
        case "bodySite": return "Observation.bodySite"
        case "note": return "Observation.note"
        default:
            return field.hasPrefix("specimen") ? "Observation.specimen" : "Observation"
        }
    }
}
