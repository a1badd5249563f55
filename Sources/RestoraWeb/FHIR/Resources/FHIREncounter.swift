import Foundation
import RestoraDomain

/// FHIR R4 Encounter (https://hl7.org/fhir/R4/encounter.html) for a Restora visit: status, class AMB, the
/// schedule's visit name as `type`, the participant as `subject`, the visit date as `period`, the enrolment
/// (ResearchSubject) and the protocol window as extensions. Read and search only. docs/fhir.md "Encounter".
struct FHIREncounterHandler: FHIRResourceHandler {
    var resourceType: String { "Encounter" }

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "The participant (Patient/<id> or <id>)"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "The participant (Patient/<id> or <id>)"),
            FHIRSearchParameter(name: "date", kind: .date, documentation: "The visit date (period), with eq, ne, lt, le, gt, ge, sa, eb; planned visits without a date never match"),
            FHIRSearchParameter(name: "status", kind: .token, documentation: "planned, finished, cancelled"),
        ]
    }
    var sortParameters: [String] { ["date", "_lastUpdated", "_id"] }

    // MARK: Mapping (pure; BULK calls it)

    /// The R4 status of a visit status: scheduled → planned, completed → finished, missed and cancelled →
    /// cancelled (Restora's own status is kept in the visit-status extension).
    static func status(_ status: Visit.Status) -> String {
        switch status {
        case .scheduled: "planned"
        case .completed: "finished"
        case .missed, .cancelled: "cancelled"
        }
    }

    /// The Encounter of a visit (without `meta`); `participant` is the visit's enrolment's participant.
    static func resource(_ stored: Versioned<Visit>, participant: Identifier<Participant>) -> FHIRJSON {
        let v = stored.value
        let window = FHIRJSON.object([
            ("url", .string(FHIRCodeSystems.visitWindowExtension)),
            ("extension", .array([
                .object([("url", .string("plannedDay")), ("valueInteger", .integer(v.plannedDay))]),
                .object([("url", .string("windowBefore")), ("valueInteger", .integer(v.windowBefore))]),
                .object([("url", .string("windowAfter")), ("valueInteger", .integer(v.windowAfter))]),
            ])),
        ])
        let extensions: [FHIRJSON] = [
            .object([
                ("url", .string(FHIRCodeSystems.enrolmentExtension)),
                ("valueReference", .object([("reference", .string("ResearchSubject/\(v.enrolmentID.rawValue)"))])),
            ]),
            window,
            .object([("url", .string(FHIRCodeSystems.visitStatusExtension)), ("valueCode", .string(v.status.rawValue))]),
        ]
        return .object([
            "resourceType": .string("Encounter"),
            "id": .string(v.id.rawValue),
            "extension": .array(extensions),
            "status": .string(status(v.status)),
            "class": .object([
                ("system", .string(FHIRCodeSystems.actCode)), ("code", .string("AMB")), ("display", .string("ambulatory")),
            ]),
            "type": .array([FHIRCodeSystems.codeableConcept(system: FHIRCodeSystems.visitType, code: v.visitKey, display: nil, text: v.visitKey)]),
            "subject": .object([("reference", .string("Patient/\(participant.rawValue)"))]),
            "period": v.actualDate.map { date in
                .object([("start", .string(date.description)), ("end", .string(date.description))])
            },
        ])
    }

    static func stored(_ row: FHIREncounterRow) -> FHIRStoredResource {
        FHIRStoredResource(type: "Encounter", id: row.visit.value.id.rawValue, row.visit,
                           resource: resource(row.visit, participant: row.participantID))
    }

    // MARK: read and search

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRClinicalSearch.isValidID(id) else { throw FHIRError.notFound("Encounter", id) }
        let rows = try await context.repositories.fhirEncounters.search(FHIRTableSearch(
            condition: .text(.id, .equal, id), siteIDs: FHIRObservationHandler.siteIDs(context), sort: .id, limit: 1))
        guard let row = rows.first else { throw FHIRError.notFound("Encounter", id) }
        return Self.stored(row)
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let condition = FHIRTableCondition<FHIREncounterColumn>.all(try query.criteria.map(Self.condition))
        let sort = try FHIRClinicalSearch.sort(query, allowed: sortParameters)
        let order: FHIREncounterSort = switch sort?.name {
        case "date": .date
        case "_lastUpdated": .lastUpdated
        default: .id
        }
        let descending = sort?.descending ?? false
        let siteIDs = FHIRObservationHandler.siteIDs(context)
        let (page, next, total) = try await FHIRClinicalSearch.page(
            query, order: order.rawValue + (descending ? "-desc" : ""),
            count: { try await context.repositories.fhirEncounters.count(condition, siteIDs: siteIDs) },
            rows: { after, limit in
                try await context.repositories.fhirEncounters.search(FHIRTableSearch(
                    condition: condition, siteIDs: siteIDs, sort: order, descending: descending, after: after, limit: limit))
            },
            keyset: { FHIRTableKeyset(key: $0.sortKey, id: $0.visit.value.id.rawValue) })
        return FHIRSearchPage(resources: page.map(Self.stored), nextCursor: next, total: total)
    }

    static func condition(_ criterion: FHIRSearchCriterion) throws -> FHIRTableCondition<FHIREncounterColumn> {
        let name = criterion.name
        if let modifier = criterion.modifier, !((name == "subject" || name == "patient") && modifier == "Patient") {
            throw FHIRError.invalid("the modifier :\(modifier) is not supported on \(name)")
        }
        switch name {
        case "_id":
            return .any(criterion.values.map { .text(.id, .equal, $0) })
        case "_lastUpdated":
            return .any(try criterion.values.map { try FHIRClinicalSearch.instantCondition($0, column: .lastUpdated, parameter: name) })
        case "patient", "subject":
            return .any(criterion.values.compactMap { FHIRClinicalSearch.referenceID($0, type: "Patient") }.map { .text(.participantID, .equal, $0) })
        case "date":
            return .any(try criterion.values.map { try FHIRClinicalSearch.dateCondition($0, column: .actualDate, parameter: name) })
        case "status":
            return .any(criterion.values.map { value in
                let (system, code) = FHIRClinicalSearch.token(value)
                if let system, system != "http://hl7.org/fhir/encounter-status" { return .never }
                let statuses = Visit.Status.allCases.filter { Self.status($0) == code }
                return .any(statuses.map { .text(.status, .equal, $0.rawValue) })
            })
        default:
            throw FHIRError.invalid("Encounter has no search parameter \(name)")
        }
    }
}
