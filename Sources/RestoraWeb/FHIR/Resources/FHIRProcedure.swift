import Foundation
import RestoraDomain

/// Procedure (https://hl7.org/fhir/R4/procedure.html): a tissue harvest, cell processing, injection, sperm
/// retrieval or biopsy (docs/fhir.md "Procedure"): `status` completed (Restora records performed procedures),
/// `code` the recorded coding (if any) and the kind in Restora's `procedure-kind` system, `subject`,
/// `performedDateTime`, `performer.actor` the user (logical reference by user id), `bodySite` the anatomical
/// site with its laterality as text, `outcome` and `note` as text; R4 has no element for the imaging guidance,
/// anaesthesia, source tissue, volume or the cell product, so they are Restora extensions
/// (`procedure-imaging-guidance`, `procedure-anaesthesia`, `procedure-source-tissue`, `procedure-volume`,
/// `procedure-cell-product` → `BiologicallyDerivedProduct/<id>`).
struct FHIRProcedureHandler: FHIRResourceHandler {
    let resourceType = "Procedure"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the participant (Patient/<id>); required unless _id is given"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the same as patient"),
            FHIRSearchParameter(name: "date", kind: .date, documentation: "when performed; prefixes eq ne lt le gt ge sa eb"),
            FHIRSearchParameter(name: "code", kind: .token, documentation: "[system|]code: the recorded code or the kind (\(Self.kindSystem))"),
        ]
    }
    var sortParameters: [String] { ["date", "_lastUpdated"] }

    static let kindSystem = FHIRCare.codeSystemBase + "procedure-kind"

    static func kindDisplay(_ kind: Procedure.Kind) -> String {
        switch kind {
        case .tissueHarvest: return "Tissue harvest"
        case .cellProcessing: return "Cell processing"
        case .injection: return "Cell injection"
        case .spermRetrieval: return "Sperm retrieval"
        case .biopsy: return "Biopsy"
        case .other: return "Other procedure"
        }
    }

    static func codings(_ p: Procedure) -> [FHIRJSON] {
        var codings: [FHIRJSON] = []
        if let code = p.code { codings.append(FHIRCare.coding(code)) }
        codings.append(FHIRCare.coding(system: kindSystem, code: p.kind.rawValue, display: kindDisplay(p.kind)))
        return codings
    }

    /// The resource (without `meta`) of a procedure: BULK's $export calls this for every line.
    static func resource(_ p: Procedure) -> FHIRJSON {
        var site: String?
        if let anatomical = p.anatomicalSite {
            site = p.laterality.map { "\(anatomical) (\($0))" } ?? anatomical
        } else if let laterality = p.laterality {
            site = laterality
        }
        let extensions = FHIRCare.extensions([
            FHIRCare.ext("procedure-imaging-guidance", "valueCode", p.imagingGuidance.map { .string($0.rawValue) }),
            FHIRCare.ext("procedure-anaesthesia", "valueCode", p.anaesthesia.map { .string($0.rawValue) }),
            FHIRCare.ext("procedure-source-tissue", "valueString", p.sourceTissue.map(FHIRJSON.string)),
            FHIRCare.ext("procedure-volume", "valueQuantity", p.volumeML.map { FHIRCare.quantity($0, ucum: "mL") }),
            FHIRCare.ext("procedure-cell-product", "valueReference",
                         p.cellProductID.map { FHIRCare.reference("BiologicallyDerivedProduct", $0.rawValue) }),
        ])
        return .object([
            "resourceType": .string("Procedure"),
            "id": .string(p.id.rawValue),
            "extension": extensions,
            "status": .string("completed"),
            "code": FHIRCare.concept(codings(p), text: p.code?.display ?? kindDisplay(p.kind)),
            "subject": FHIRCare.patient(p.participantID),
            "performedDateTime": FHIRCare.instant(p.performed),
            "performer": p.performer.map { .array([.object(["actor": FHIRCare.user($0)])]) },
            "bodySite": site.map { .array([FHIRCare.text($0)]) },
            "outcome": p.outcome.map(FHIRCare.text),
            "note": FHIRCare.annotation(p.note),
        ])
    }

    static func stored(_ p: Versioned<Procedure>) -> FHIRStoredResource {
        FHIRStoredResource(type: "Procedure", id: p.value.id.rawValue, p, resource: resource(p.value))
    }

    func visible(_ id: String, in context: FHIRInteractionContext) async throws -> Versioned<Procedure> {
        let repositories = context.repositories
        return try await FHIRCare.visibleRecord("Procedure", id, in: context,
                                                get: { try await repositories.procedures.get(Identifier($0)) },
                                                participant: \.participantID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        Self.stored(try await visible(id, in: context))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "patient", "subject", "date", "code"], type: resourceType)
        let dates = try query.values("date").map { criterion in
            try criterion.values.map { try DateParameter(parsing: $0, parameter: "date") }
        }
        let codes = query.values("code").map { FHIRCareToken.parse($0.values) }
        let records = try await FHIRCare.perPatientRecords(query, in: context, type: resourceType,
                                                           list: { try await context.repositories.procedures.list(participant: $0) },
                                                           get: { try await visible($0, in: context) })
        let filtered = records.filter { record in
            let p = record.value
            let ms = Int((p.performed.timeIntervalSince1970 * 1000).rounded(.down))
            for group in dates where !group.contains(where: { $0.matches(start: ms, end: ms + 1) }) { return false }
            for group in codes {
                let mine = (p.code.map { [($0.system.uri, $0.code)] } ?? []) + [(Self.kindSystem, p.kind.rawValue)]
                if !group.contains(where: { token in mine.contains { token.matches(system: $0.0, code: $0.1) } }) { return false }
            }
            return true
        }
        return try FHIRCare.page(filtered.map { record in
            FHIRCare.Candidate(sortKey: FHIRCare.sortKey(record.value.performed), lastUpdated: FHIRCare.sortKey(record.updatedAt),
                               resource: Self.stored(record))
        }, query, dateKey: "date")
    }
}
