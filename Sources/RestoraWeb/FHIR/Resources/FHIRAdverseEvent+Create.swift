import Foundation
import RestoraDomain

/// AdverseEvent create and update: through `AdverseEventEntry`, the service the JSON API, the web form and the
/// demo use, so CTCAE coding, expectedness, the reporting clock, the protocol safety rules (alerts) and the
/// lab-grade consistency query fire the same way, in one transaction (docs/fhir.md "AdverseEvent").
extension FHIRAdverseEventHandler {
    var supportsCreate: Bool { true }
    var supportsUpdate: Bool { true }

    static let researchSubjectExtension = FHIRCare.extensionBase + "research-subject"

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let parsed = try await Self.parse(resource, id: Identifier(context.dependencies.ids.next()), in: context)
        if parsed.assessed { try Self.requireCausalityAssessor(context.user) }
        let entry = AdverseEventEntry(clinical: ClinicalEntry(repositories: context.repositories, catalog: context.dependencies.catalog,
                                                              ids: context.dependencies.ids))
        let recorded = try await Self.mappingDomainErrors {
            try await entry.record(parsed.event, causalityAssessor: parsed.assessed ? context.user.id.rawValue : nil,
                                   context: context.audit, idempotencyKey: nil)
        }
        return Self.stored(recorded.stored)
    }

    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let current = try await visible(id, in: context)
        let parsed = try await Self.parse(resource, id: current.value.id, in: context)
        guard parsed.event.participantID == current.value.participantID else {
            throw FHIRError.unprocessable("an adverse event cannot move to another patient", at: "AdverseEvent.subject", code: .businessRule)
        }
        // A body read back and sent again carries the stored assessment: only a changed one is an assessment.
        let assessed = parsed.assessed && (parsed.event.relatedness != current.value.relatedness || current.value.causalityAssessedBy == nil
            && context.user.role == .investigator)
        if assessed { try Self.requireCausalityAssessor(context.user) }
        var audit = context.audit
        if let reason = parsed.reason { audit.reason = reason }
        guard audit.trimmedReason != nil else {
            throw FHIRError(status: 422, code: .required,
                            diagnostics: "a correction of a recorded adverse event needs a reason for change: the extension \(FHIRCodeSystems.changeReasonExtension) (valueString)",
                            expression: ["AdverseEvent.extension"])
        }
        let entry = AdverseEventEntry(clinical: ClinicalEntry(repositories: context.repositories, catalog: context.dependencies.catalog,
                                                              ids: context.dependencies.ids))
        let recorded = try await Self.mappingDomainErrors {
            try await entry.correct(parsed.event, expectedVersion: expectedVersion ?? current.version,
                                    causalityAssessor: assessed ? context.user.id.rawValue : nil, context: audit)
        }
        return Self.stored(recorded.stored)
    }

    /// Causality is an investigator's judgement (ICH E2A; docs/safety.md), as in the JSON API.
    static func requireCausalityAssessor(_ user: UserAccount) throws {
        guard user.role == .investigator else {
            throw FHIRError(status: 403, code: .forbidden, diagnostics:
                "only an investigator assesses causality (suspectEntity.causality); the \(user.role.rawValue) role cannot",
                expression: ["AdverseEvent.suspectEntity"])
        }
    }

    /// The FHIRPath of a domain field a refusal names.
    static func path(ofField field: String) -> String {
        switch field {
        case "term", "meddraCode", "otherSpecify", "systemOrganClass": return "AdverseEvent.event"
        case "grade": return "AdverseEvent.extension"
        case "onset": return "AdverseEvent.date"
        case "outcome": return "AdverseEvent.outcome"
        case "seriousness": return "AdverseEvent.seriousness"
        case "relatedness": return "AdverseEvent.suspectEntity"
        case "enrolmentID": return "AdverseEvent.extension"
        default: return "AdverseEvent.extension"
        }
    }

    /// Runs a service call; its `DomainError.invalidValue` becomes a 422 naming the FHIR element.
    static func mappingDomainErrors<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let DomainError.invalidValue(field, message) {
            throw FHIRError.unprocessable("\(field): \(message)", at: path(ofField: field), code: .value)
        }
    }

    struct Parsed: Sendable {
        var event: AdverseEvent
        /// The body carries a causality assessment (only an investigator may send one).
        var assessed: Bool
        var reason: String?
    }

    static func extensionValue(_ resource: FHIRJSON, _ url: String) -> (FHIRJSON, Int)? {
        guard let list = resource["extension"]?.arrayValue else { return nil }
        for (index, ext) in list.enumerated() where ext["url"]?.stringValue == url {
            return (ext, index)
        }
        return nil
    }

    /// Reads a FHIR AdverseEvent into the domain value (refusals name the element at fault).
    static func parse(_ resource: FHIRJSON, id: Identifier<AdverseEvent>, in context: FHIRInteractionContext) async throws -> Parsed {
        guard resource.objectValue != nil else { throw FHIRError.invalid("the body is not a JSON object", at: "AdverseEvent") }
        guard resource["resourceType"]?.stringValue == "AdverseEvent" else {
            throw FHIRError.invalid("resourceType must be AdverseEvent", at: "AdverseEvent.resourceType")
        }
        if let actuality = resource["actuality"], actuality.stringValue != "actual" {
            throw FHIRError.unprocessable("Restora records actual adverse events only (actuality actual)", at: "AdverseEvent.actuality", code: .value)
        }
        // subject
        guard let reference = resource["subject"]?["reference"]?.stringValue else {
            throw FHIRError(status: 400, code: .required, diagnostics: "subject (Patient/<id>) is required", expression: ["AdverseEvent.subject"])
        }
        let participantID: Identifier<Participant>
        do {
            participantID = try FHIRCare.patientID(reference, parameter: "AdverseEvent.subject.reference")
        } catch {
            throw FHIRError.invalid("subject must reference a Patient (Patient/<id>), got '\(reference)'", at: "AdverseEvent.subject.reference")
        }
        do {
            _ = try await FHIRCare.visibleParticipant(participantID, in: context)
        } catch {
            throw FHIRError.unprocessable("subject names no patient you may see: \(reference)", at: "AdverseEvent.subject.reference")
        }
        // event
        let codings = resource["event"]?["coding"]?.arrayValue ?? []
        let meddra = codings.first { $0["system"]?.stringValue == meddraSystem }
        let text = resource["event"]?["text"]?.stringValue
        var term = meddra?["display"]?.stringValue ?? text ?? ""
        var otherSpecify: String?
        if let text {
            if let display = meddra?["display"]?.stringValue, text.hasPrefix(display + ": ") {
                otherSpecify = String(text.dropFirst(display.count + 2))
            } else if meddra == nil, let range = text.range(of: "Other, specify: ") {
                term = String(text[..<range.lowerBound]) + "Other, specify"
                otherSpecify = String(text[range.upperBound...])
            }
        }
        let meddraCode = meddra?["code"]?.stringValue
        if meddraCode == nil, term.trimmingCharacters(in: .whitespaces).isEmpty {
            throw FHIRError(status: 400, code: .required,
                            diagnostics: "event is required: a MedDRA coding (\(meddraSystem)) of a CTCAE v5.0 term, or the term as text",
                            expression: ["AdverseEvent.event"])
        }
        // date
        guard let dateText = resource["date"]?.stringValue else {
            throw FHIRError(status: 400, code: .required, diagnostics: "date (the onset) is required", expression: ["AdverseEvent.date"])
        }
        guard let onset = CalendarDate(String(dateText.prefix(10))), dateText.count == 10 || dateText.count > 10 && dateText.dropFirst(10).hasPrefix("T") else {
            throw FHIRError.invalid("date must be a date (YYYY-MM-DD) or dateTime, got '\(dateText)'", at: "AdverseEvent.date")
        }
        // grade: the CTCAE extension, else R4 severity (mild 1, moderate 2, severe 3)
        var grade: Int?
        if let (ext, index) = extensionValue(resource, gradeExtension) {
            let code = ext["valueCodeableConcept"]?["coding"]?.arrayValue?.first { $0["system"]?.stringValue == gradeSystem }?["code"]?.stringValue
            guard let code, let value = Int(code), (1...5).contains(value) else {
                throw FHIRError.invalid("the CTCAE grade is a coding of \(gradeSystem) with code 1 to 5", at: "AdverseEvent.extension[\(index)]")
            }
            grade = value
        } else if let severity = resource["severity"]?["coding"]?.arrayValue?.first(where: { $0["system"]?.stringValue == severitySystem })?["code"]?.stringValue {
            switch severity {
            case "mild": grade = 1
            case "moderate": grade = 2
            case "severe": grade = 3
            default: throw FHIRError.invalid("severity is mild, moderate or severe", at: "AdverseEvent.severity")
            }
        }
        guard let grade else {
            throw FHIRError(status: 400, code: .required,
                            diagnostics: "the CTCAE grade is required: extension \(gradeExtension) (or severity, read as grade 1–3)",
                            expression: ["AdverseEvent.extension"])
        }
        // seriousness
        var criteria: [AdverseEvent.Seriousness] = []
        var serious: Bool?
        for (index, coding) in (resource["seriousness"]?["coding"]?.arrayValue ?? []).enumerated() {
            let system = coding["system"]?.stringValue
            let code = coding["code"]?.stringValue ?? ""
            if system == seriousnessSystem, code == "serious" || code == "non-serious" {
                serious = code == "serious"
            } else if system == criterionSystem, let criterion = AdverseEvent.Seriousness(rawValue: code) {
                criteria.append(criterion)
            } else {
                throw FHIRError.invalid("seriousness codings are \(seriousnessSystem) serious/non-serious and \(criterionSystem) criteria",
                                        at: "AdverseEvent.seriousness.coding[\(index)]")
            }
        }
        if serious == true && criteria.isEmpty {
            throw FHIRError.unprocessable("a serious adverse event names the ICH E2A criteria met (codings of \(criterionSystem))",
                                          at: "AdverseEvent.seriousness", code: .required)
        }
        if serious == false && !criteria.isEmpty {
            throw FHIRError.unprocessable("a non-serious adverse event meets no seriousness criterion", at: "AdverseEvent.seriousness", code: .invariant)
        }
        // outcome
        var outcome = AdverseEvent.Outcome.unknown
        if let code = resource["outcome"]?["coding"]?.arrayValue?.first(where: { $0["system"]?.stringValue == outcomeSystem })?["code"]?.stringValue {
            guard let found = AdverseEvent.Outcome.allCases.first(where: { outcomeCode($0).0 == code }) else {
                throw FHIRError.invalid("outcome '\(code)' is not an adverse-event-outcome code", at: "AdverseEvent.outcome")
            }
            outcome = found
        }
        // causality
        var relatedness: AdverseEvent.Relatedness?
        let assessment = resource["suspectEntity"]?.arrayValue?.first?["causality"]?.arrayValue?.first?["assessment"]?["coding"]?.arrayValue ?? []
        if let own = assessment.first(where: { $0["system"]?.stringValue == relatednessSystem })?["code"]?.stringValue {
            guard let value = AdverseEvent.Relatedness(rawValue: own) else {
                throw FHIRError.invalid("'\(own)' is not a relatedness of \(relatednessSystem)", at: "AdverseEvent.suspectEntity[0].causality[0].assessment")
            }
            relatedness = value
        } else if let who = assessment.first(where: { $0["system"]?.stringValue == causalitySystem })?["code"]?.stringValue {
            guard let value = AdverseEvent.Relatedness.allCases.first(where: { causality($0)?.0 == who }) else {
                throw FHIRError.invalid("'\(who)' is not a causality code Restora records (Certain, Probably-Likely, Possible, Unlikely)",
                                        at: "AdverseEvent.suspectEntity[0].causality[0].assessment")
            }
            relatedness = value
        }
        // extensions
        func date(_ url: String, _ key: String) throws -> CalendarDate? {
            guard let (ext, index) = extensionValue(resource, url) else { return nil }
            guard let text = ext[key]?.stringValue, let value = CalendarDate(String(text.prefix(10))) else {
                throw FHIRError.invalid("\(url) needs \(key) as a date", at: "AdverseEvent.extension[\(index)]")
            }
            return value
        }
        let resolution = try date(resolvedExtension, "valueDateTime")
        let sponsorAware = try date(FHIRCare.extensionBase + "ae-sponsor-aware-on", "valueDate")
        var actionTaken = AdverseEvent.ActionTaken.none
        if let (ext, index) = extensionValue(resource, FHIRCare.extensionBase + "ae-action-taken") {
            guard let value = ext["valueCode"]?.stringValue.flatMap(AdverseEvent.ActionTaken.init(rawValue:)) else {
                throw FHIRError.invalid("action taken is one of \(AdverseEvent.ActionTaken.allCases.map(\.rawValue).joined(separator: ", "))",
                                        at: "AdverseEvent.extension[\(index)]")
            }
            actionTaken = value
        }
        let expected = extensionValue(resource, FHIRCare.extensionBase + "ae-expected")?.0["valueBoolean"]?.boolValue ?? false
        let note = extensionValue(resource, FHIRCare.extensionBase + "note")?.0["valueString"]?.stringValue
        let reason = extensionValue(resource, FHIRCodeSystems.changeReasonExtension)?.0["valueString"]?.stringValue
        var enrolmentID: Identifier<Enrolment>?
        if let (ext, index) = extensionValue(resource, researchSubjectExtension) {
            guard let ref = ext["valueReference"]?["reference"]?.stringValue, ref.hasPrefix("ResearchSubject/") else {
                throw FHIRError.invalid("the research-subject extension is a valueReference to ResearchSubject/<id>", at: "AdverseEvent.extension[\(index)]")
            }
            enrolmentID = Identifier(String(ref.dropFirst("ResearchSubject/".count)))
        }
        let event = AdverseEvent(
            id: id, participantID: participantID, enrolmentID: enrolmentID, term: term, grade: grade, seriousness: criteria,
            expected: expected, relatedness: relatedness ?? .possible, onset: onset, resolution: resolution, outcome: outcome,
            actionTaken: actionTaken, sponsorAwareOn: sponsorAware, note: note, meddraCode: meddraCode, otherSpecify: otherSpecify)
        return Parsed(event: event, assessed: relatedness != nil, reason: reason)
    }
}
