import Foundation
import RestoraDomain

/// BiologicallyDerivedProduct (https://hl7.org/fhir/R4/biologicallyderivedproduct.html): an autologous cell
/// lot (docs/fhir.md "BiologicallyDerivedProduct"): `identifier` the lot (system `urn:restora:cell-product-lot`),
/// `productCategory` cells, `productCode` the source tissue, `status` available only when released (every
/// other release status is unavailable; the exact one is the `cell-release-status` extension), `quantity` 1,
/// `collection` (source the Patient, collector and time from the `harvested` custody event), `processing`
/// (the processing custody events), `storage` (quarantine and transfer events); the release decision's summary,
/// the cell counts and viability, the harvest procedure and the whole chain of custody (`cell-custody-event`,
/// one complex extension per event) are Restora extensions. R4 defines no `patient` search parameter on this
/// type: Restora offers `patient` as its own.
struct FHIRBiologicallyDerivedProductHandler: FHIRResourceHandler {
    let resourceType = "BiologicallyDerivedProduct"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference,
                                documentation: "Restora's own: the participant the cells came from (Patient/<id>); a search needs patient, identifier or _id"),
            FHIRSearchParameter(name: "identifier", kind: .token, documentation: "the lot ([\(Self.lotSystem)|]lot)"),
            FHIRSearchParameter(name: "status", kind: .token, documentation: "available or unavailable"),
        ]
    }

    static let lotSystem = "urn:restora:cell-product-lot"
    static let tissueSystem = FHIRCare.codeSystemBase + "source-tissue"

    static func custodyEvent(_ event: CustodyEvent) -> FHIRJSON {
        let parts: [FHIRJSON?] = [
            .object([("url", .string("kind")), ("valueCode", .string(event.kind.rawValue))]),
            .object([("url", .string("at")), ("valueDateTime", FHIRCare.instant(event.at))]),
            .object([("url", .string("actor")), ("valueString", .string(event.actor.description))]),
            event.location.map { .object([("url", .string("location")), ("valueString", .string($0))]) },
            event.note.map { .object([("url", .string("note")), ("valueString", .string($0))]) },
        ]
        return .object([("url", .string(FHIRCare.extensionBase + "cell-custody-event")), ("extension", .array(parts.compactMap { $0 }))])
    }

    static func describe(_ event: CustodyEvent) -> String {
        var text = event.kind.rawValue.replacingOccurrences(of: "-", with: " ")
        if let location = event.location { text += " at \(location)" }
        if let note = event.note { text += ": \(note)" }
        return text
    }

    /// The resource (without `meta`) of a cell lot: BULK's $export calls this for every line.
    static func resource(_ product: CellProduct) -> FHIRJSON {
        let harvested = product.custody.first { $0.kind == .harvested }
        let processing = product.custody.filter { $0.kind == .processingStarted || $0.kind == .processed }.map { event in
            FHIRJSON.object(["description": .string(describe(event)), "timeDateTime": FHIRCare.instant(event.at)])
        }
        let storage = product.custody.filter { [.quarantined, .transferred, .received].contains($0.kind) }.map { event in
            FHIRJSON.object(["description": .string(describe(event)), "duration": .object(["start": FHIRCare.instant(event.at)])])
        }
        let extensions = FHIRCare.extensions([
            FHIRCare.ext("cell-release-status", "valueCode", .string(product.releaseStatus.rawValue)),
            FHIRCare.ext("cell-release-decision", "valueString", product.releaseDecision.map { .string($0.summary) }),
            FHIRCare.ext("cell-total-cells", "valueDecimal", product.totalCells.map(FHIRJSON.number)),
            FHIRCare.ext("cell-viable-cells", "valueDecimal", product.viableCells.map(FHIRJSON.number)),
            FHIRCare.ext("cell-viability", "valueQuantity", product.viabilityPercent.map { FHIRCare.quantity($0, ucum: "%") }),
            FHIRCare.ext("cell-harvest-procedure", "valueReference", product.harvestProcedureID.map { FHIRCare.reference("Procedure", $0.rawValue) }),
        ] + product.custody.map(custodyEvent))
        return .object([
            "resourceType": .string("BiologicallyDerivedProduct"),
            "id": .string(product.id.rawValue),
            "extension": extensions,
            "identifier": .array([.object(["system": .string(lotSystem), "value": .string(product.lot)])]),
            "productCategory": .string("cells"),
            "productCode": FHIRCare.concept([FHIRCare.coding(system: tissueSystem, code: product.sourceTissue)],
                                            text: "autologous cells from \(product.sourceTissue.replacingOccurrences(of: "-", with: " "))"),
            "status": .string(product.releaseStatus == .released ? "available" : "unavailable"),
            "quantity": .integer(1),
            "collection": .object([
                "collector": harvested.map { FHIRCare.user($0.actor) },
                "source": FHIRCare.patient(product.participantID),
                "collectedDateTime": harvested.map { FHIRCare.instant($0.at) },
            ]),
            "processing": processing.isEmpty ? nil : .array(processing),
            "storage": storage.isEmpty ? nil : .array(storage),
        ])
    }

    static func stored(_ product: Versioned<CellProduct>) -> FHIRStoredResource {
        FHIRStoredResource(type: "BiologicallyDerivedProduct", id: product.value.id.rawValue, product, resource: resource(product.value))
    }

    func visible(_ id: String, in context: FHIRInteractionContext) async throws -> Versioned<CellProduct> {
        let repositories = context.repositories
        return try await FHIRCare.visibleRecord(resourceType, id, in: context,
                                                get: { try await repositories.cellProducts.get(Identifier($0)) },
                                                participant: \.participantID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        Self.stored(try await visible(id, in: context))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "patient", "identifier", "status"], type: resourceType)
        let lots = query.values("identifier").map { FHIRCareToken.parse($0.values) }
        let statuses = query.values("status").map { Set($0.values) }
        var records: [Versioned<CellProduct>]
        if !query.values("patient").isEmpty || FHIRCare.ids(in: query) != nil || lots.isEmpty {
            records = try await FHIRCare.perPatientRecords(query, in: context, type: resourceType, names: ["patient"],
                                                           list: { try await context.repositories.cellProducts.list(participant: $0) },
                                                           get: { try await visible($0, in: context) })
        } else {
            records = []
            for token in lots[0] {
                guard let lot = token.code, token.system == nil || token.system == Self.lotSystem else { continue }
                guard let product = try? await context.repositories.cellProducts.get(lot: lot),
                      (try? await FHIRCare.visibleParticipant(product.value.participantID, in: context)) != nil else { continue }
                records.append(product)
            }
        }
        let filtered = records.filter { record in
            for group in lots where !group.contains(where: { $0.matches(system: Self.lotSystem, code: record.value.lot) }) { return false }
            for group in statuses where !group.contains(record.value.releaseStatus == .released ? "available" : "unavailable") { return false }
            return true
        }
        var seen = Set<String>()
        return try FHIRCare.page(filtered.filter { seen.insert($0.value.id.rawValue).inserted }.map { record in
            FHIRCare.Candidate(sortKey: FHIRCare.sortKey(record.createdAt), lastUpdated: FHIRCare.sortKey(record.updatedAt),
                               resource: Self.stored(record))
        }, query, dateKey: nil)
    }
}
