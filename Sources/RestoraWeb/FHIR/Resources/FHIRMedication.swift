import Foundation
import RestoraDomain

/// MedicationRequest (https://hl7.org/fhir/R4/medicationrequest.html): a protocol drug course (docs/fhir.md
/// "MedicationRequest"): `status` from the course (planned → draft, active, held → on-hold, stopped, completed),
/// `statusReason` the stop reason, `intent` order, `medicationCodeableConcept` the RxNorm ingredient, `subject`,
/// one `dosageInstruction` (dose with its UCUM unit, frequency per day or week, the course's period as
/// `timing.repeat.boundsPeriod`: start, and the stop or else the planned stop; route as text, oral also as SNOMED CT).
/// A course held by a safety rule carries the alert and the date in the `medication-held-by-alert` and
/// `medication-held-on` extensions.
struct FHIRMedicationRequestHandler: FHIRResourceHandler {
    let resourceType = "MedicationRequest"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the participant (Patient/<id>); required unless _id is given"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the same as patient"),
            FHIRSearchParameter(name: "status", kind: .token, documentation: "draft, active, on-hold, stopped, completed"),
            FHIRSearchParameter(name: "code", kind: .token, documentation: "[system|]code of the drug (RxNorm)"),
        ]
    }
    var sortParameters: [String] { ["authoredon", "_lastUpdated"] }

    static func status(_ status: MedicationCourse.Status) -> String {
        switch status {
        case .planned: return "draft"
        case .active: return "active"
        case .held: return "on-hold"
        case .stopped: return "stopped"
        case .completed: return "completed"
        }
    }

    static func route(_ route: String) -> FHIRJSON {
        if route.lowercased() == "oral" {
            return FHIRCare.concept([FHIRCare.coding(system: CodeSystem.snomed.uri, code: "26643006", display: "Oral route")], text: route)
        }
        return FHIRCare.text(route)
    }

    static func drug(_ drug: Coding) -> FHIRJSON {
        FHIRCare.concept([FHIRCare.coding(drug)], text: drug.display ?? drug.code)
    }

    /// The resource (without `meta`) of a medication course: BULK's $export calls this for every line.
    static func resource(_ course: MedicationCourse) -> FHIRJSON {
        let end = course.stop ?? course.plannedStop
        let timing = FHIRJSON.object([
            "repeat": .object([
                "boundsPeriod": .object(["start": FHIRCare.date(course.start), "end": end.map(FHIRCare.date)]),
                "frequency": .integer(course.frequency.dosesPerPeriod),
                "period": .integer(1),
                "periodUnit": .string(course.frequency.period == .day ? "d" : "wk"),
            ]),
        ])
        let dose = course.dose
        let dosage = FHIRJSON.object([
            "text": .string("\(dose) \(course.route) \(course.frequency)"),
            "timing": timing,
            "route": route(course.route),
            "doseAndRate": .array([.object(["doseQuantity": FHIRCare.quantity(dose.value, ucum: dose.unit)])]),
        ])
        return .object([
            "resourceType": .string("MedicationRequest"),
            "id": .string(course.id.rawValue),
            "extension": FHIRCare.extensions([
                FHIRCare.ext("medication-held-by-alert", "valueString", course.heldByAlertID.map { .string($0.rawValue) }),
                FHIRCare.ext("medication-held-on", "valueDate", course.heldOn.map(FHIRCare.date)),
            ]),
            "status": .string(status(course.status)),
            "statusReason": course.stopReason.map(FHIRCare.text),
            "intent": .string("order"),
            "medicationCodeableConcept": drug(course.drug),
            "subject": FHIRCare.patient(course.participantID),
            "authoredOn": FHIRCare.date(course.start),
            "dosageInstruction": .array([dosage]),
        ])
    }

    static func stored(_ course: Versioned<MedicationCourse>) -> FHIRStoredResource {
        FHIRStoredResource(type: "MedicationRequest", id: course.value.id.rawValue, course, resource: resource(course.value))
    }

    static func visible(_ id: String, type: String, in context: FHIRInteractionContext) async throws -> Versioned<MedicationCourse> {
        let repositories = context.repositories
        return try await FHIRCare.visibleRecord(type, id, in: context,
                                                get: { try await repositories.medicationCourses.get(Identifier($0)) },
                                                participant: \.participantID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        Self.stored(try await Self.visible(id, type: resourceType, in: context))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "patient", "subject", "status", "code"], type: resourceType)
        let statuses = query.values("status").map { Set($0.values) }
        let codes = query.values("code").map { FHIRCareToken.parse($0.values) }
        let type = resourceType
        let records = try await FHIRCare.perPatientRecords(query, in: context, type: type,
                                                           list: { try await context.repositories.medicationCourses.list(participant: $0) },
                                                           get: { try await Self.visible($0, type: type, in: context) })
        let filtered = records.filter { record in
            for group in statuses where !group.contains(Self.status(record.value.status)) { return false }
            let drug = record.value.drug
            for group in codes where !group.contains(where: { $0.matches(system: drug.system.uri, code: drug.code) }) { return false }
            return true
        }
        return try FHIRCare.page(filtered.map { record in
            FHIRCare.Candidate(sortKey: record.value.start.description, lastUpdated: FHIRCare.sortKey(record.updatedAt),
                               resource: Self.stored(record))
        }, query, dateKey: "authoredon")
    }
}

/// MedicationDispense (https://hl7.org/fhir/R4/medicationdispense.html): one supply handed out under a
/// course (docs/fhir.md "MedicationDispense"). A dispensing is a child row of its course, so its id is
/// `<course id>.d<n>` (n from 1 in the order handed out) and its version and lastUpdated are the course's.
/// `status` completed, `medicationCodeableConcept` the course's drug, `subject`, `authorizingPrescription` the
/// MedicationRequest, `quantity` the units dispensed, `daysSupply` (UCUM d), `whenHandedOver` the date; the
/// returned units (pill count) and the lot are the `dispense-units-returned` and `dispense-lot` extensions.
struct FHIRMedicationDispenseHandler: FHIRResourceHandler {
    let resourceType = "MedicationDispense"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the participant (Patient/<id>); required unless _id or prescription is given"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the same as patient"),
            FHIRSearchParameter(name: "prescription", kind: .reference, documentation: "the course (MedicationRequest/<id>)"),
        ]
    }
    var sortParameters: [String] { ["whenhandedover", "_lastUpdated"] }

    static func id(course: Identifier<MedicationCourse>, index: Int) -> String { "\(course.rawValue).d\(index + 1)" }

    /// The course id and the 0-based index a dispense id names; nil when it names none.
    static func parse(_ id: String) -> (course: String, index: Int)? {
        guard let range = id.range(of: ".d", options: .backwards), let n = Int(id[range.upperBound...]), n >= 1,
              range.lowerBound > id.startIndex else { return nil }
        return (String(id[..<range.lowerBound]), n - 1)
    }

    /// The resource (without `meta`) of the `index`-th dispensing of a course: BULK's $export calls this.
    static func resource(_ course: MedicationCourse, index: Int) -> FHIRJSON {
        let d = course.dispensings[index]
        return .object([
            "resourceType": .string("MedicationDispense"),
            "id": .string(id(course: course.id, index: index)),
            "extension": FHIRCare.extensions([
                FHIRCare.ext("dispense-units-returned", "valueInteger", d.unitsReturned.map(FHIRJSON.integer)),
                FHIRCare.ext("dispense-lot", "valueString", d.lot.map(FHIRJSON.string)),
            ]),
            "status": .string("completed"),
            "medicationCodeableConcept": FHIRMedicationRequestHandler.drug(course.drug),
            "subject": FHIRCare.patient(course.participantID),
            "authorizingPrescription": .array([FHIRCare.reference("MedicationRequest", course.id.rawValue)]),
            "quantity": .object(["value": .integer(d.unitsDispensed), "unit": .string("units")]),
            "daysSupply": FHIRCare.quantity(Double(d.daysCovered), ucum: "d", unit: "days"),
            "whenHandedOver": FHIRCare.date(d.date),
        ])
    }

    /// Every dispensing of a course as stored resources (the course's version and lastUpdated).
    static func stored(_ course: Versioned<MedicationCourse>) -> [FHIRStoredResource] {
        course.value.dispensings.indices.map { index in
            FHIRStoredResource(type: "MedicationDispense", id: id(course: course.value.id, index: index), course,
                               resource: resource(course.value, index: index))
        }
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRCare.isValidID(id), let (courseID, index) = Self.parse(id) else { throw FHIRError.notFound(resourceType, id) }
        let course: Versioned<MedicationCourse>
        do {
            course = try await FHIRMedicationRequestHandler.visible(courseID, type: resourceType, in: context)
        } catch is FHIRError {
            throw FHIRError.notFound(resourceType, id)
        }
        guard course.value.dispensings.indices.contains(index) else { throw FHIRError.notFound(resourceType, id) }
        return FHIRStoredResource(type: resourceType, id: id, course, resource: Self.resource(course.value, index: index))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "patient", "subject", "prescription"], type: resourceType)
        var courses: [Versioned<MedicationCourse>] = []
        let type = resourceType
        let prescriptions = try query.values("prescription").map { criterion -> Set<String> in
            Set(try criterion.values.map { value in
                let id = value.hasPrefix("MedicationRequest/") ? String(value.dropFirst("MedicationRequest/".count)) : value
                guard FHIRCare.isValidID(id) else {
                    throw FHIRError.invalid("prescription must reference a MedicationRequest (MedicationRequest/<id>), got '\(value)'", at: "prescription")
                }
                return id
            })
        }
        let ids = FHIRCare.ids(in: query)
        if try FHIRCare.participants(in: query, names: ["patient", "subject"]) != nil {
            courses = try await FHIRCare.perPatientRecords(
                FHIRSearchQuery(criteria: query.criteria.filter { $0.name != "_id" }, count: query.count, sort: query.sort, cursor: nil),
                in: context, type: type,
                list: { try await context.repositories.medicationCourses.list(participant: $0) },
                get: { try await FHIRMedicationRequestHandler.visible($0, type: type, in: context) })
        } else if let first = prescriptions.first {
            for courseID in first.sorted() {
                if let course = try? await FHIRMedicationRequestHandler.visible(courseID, type: type, in: context) { courses.append(course) }
            }
        } else if let ids {
            for courseID in Set(ids.compactMap { Self.parse($0)?.course }).sorted() {
                if let course = try? await FHIRMedicationRequestHandler.visible(courseID, type: type, in: context) { courses.append(course) }
            }
        } else {
            throw FHIRError(status: 400, code: .tooCostly, diagnostics: "a MedicationDispense search needs patient, prescription or _id",
                            expression: ["patient"])
        }
        var candidates: [FHIRCare.Candidate] = []
        for course in courses {
            if prescriptions.contains(where: { !$0.contains(course.value.id.rawValue) }) { continue }
            for (index, resource) in Self.stored(course).enumerated() {
                if let ids, !ids.contains(resource.id) { continue }
                candidates.append(FHIRCare.Candidate(sortKey: course.value.dispensings[index].date.description,
                                                     lastUpdated: FHIRCare.sortKey(course.updatedAt), resource: resource))
            }
        }
        return try FHIRCare.page(candidates, query, dateKey: "whenhandedover")
    }
}

/// MedicationStatement (https://hl7.org/fhir/R4/medicationstatement.html): a concomitant medication or
/// adjunct therapy (docs/fhir.md "MedicationStatement"): `status` completed once a stop date is recorded, else
/// active; `medicationCodeableConcept` the drug, `subject`, `effectivePeriod` start/stop, `dosage.text` the dose
/// as recorded; the drug class and the adjunct flag are the `medication-drug-class` and `medication-adjunct` extensions.
struct FHIRMedicationStatementHandler: FHIRResourceHandler {
    let resourceType = "MedicationStatement"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the participant (Patient/<id>); required unless _id is given"),
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the same as patient"),
            FHIRSearchParameter(name: "status", kind: .token, documentation: "active or completed"),
            FHIRSearchParameter(name: "code", kind: .token, documentation: "[system|]code of the drug"),
        ]
    }
    var sortParameters: [String] { ["effective", "_lastUpdated"] }

    static func status(_ m: ConcomitantMedication) -> String { m.stop == nil ? "active" : "completed" }

    /// The resource (without `meta`) of a concomitant medication: BULK's $export calls this for every line.
    static func resource(_ record: ConcomitantMedicationRecord) -> FHIRJSON {
        let m = record.medication
        let period: FHIRJSON? = m.start == nil && m.stop == nil ? nil
            : .object(["start": m.start.map(FHIRCare.date), "end": m.stop.map(FHIRCare.date)])
        return .object([
            "resourceType": .string("MedicationStatement"),
            "id": .string(record.id.rawValue),
            "extension": FHIRCare.extensions([
                FHIRCare.ext("medication-drug-class", "valueCode", m.drugClass.map(FHIRJSON.string)),
                FHIRCare.ext("medication-adjunct", "valueBoolean", .bool(m.adjunct)),
            ]),
            "status": .string(status(m)),
            "medicationCodeableConcept": FHIRMedicationRequestHandler.drug(m.drug),
            "subject": FHIRCare.patient(record.participantID),
            "effectivePeriod": period,
            "dosage": m.dose.map { .array([.object(["text": .string($0)])]) },
        ])
    }

    static func stored(_ record: Versioned<ConcomitantMedicationRecord>) -> FHIRStoredResource {
        FHIRStoredResource(type: "MedicationStatement", id: record.value.id.rawValue, record, resource: resource(record.value))
    }

    func visible(_ id: String, in context: FHIRInteractionContext) async throws -> Versioned<ConcomitantMedicationRecord> {
        let repositories = context.repositories
        return try await FHIRCare.visibleRecord("MedicationStatement", id, in: context,
                                                get: { try await repositories.concomitantMedications.get(Identifier($0)) },
                                                participant: \.participantID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        Self.stored(try await visible(id, in: context))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "patient", "subject", "status", "code"], type: resourceType)
        let statuses = query.values("status").map { Set($0.values) }
        let codes = query.values("code").map { FHIRCareToken.parse($0.values) }
        let records = try await FHIRCare.perPatientRecords(query, in: context, type: resourceType,
                                                           list: { try await context.repositories.concomitantMedications.list(participant: $0) },
                                                           get: { try await visible($0, in: context) })
        let filtered = records.filter { record in
            let m = record.value.medication
            for group in statuses where !group.contains(Self.status(m)) { return false }
            for group in codes where !group.contains(where: { $0.matches(system: m.drug.system.uri, code: m.drug.code) }) { return false }
            return true
        }
        return try FHIRCare.page(filtered.map { record in
            FHIRCare.Candidate(sortKey: record.value.medication.start?.description ?? "", lastUpdated: FHIRCare.sortKey(record.updatedAt),
                               resource: Self.stored(record))
        }, query, dateKey: "effective")
    }
}
