import Foundation
import RestoraDomain

/// Reading an Observation a client sends (create, update, transaction entries, import) into a Restora
/// `Observation`. Refusals name the element at fault (400 for a missing or malformed element, 422 for a value
/// Restora does not take). Elements Restora derives itself (category, interpretation, status amended) are
/// read back as given and ignored.
extension FHIRObservationHandler {
    static let acceptedStatuses: Set<String> = ["final", "amended", "corrected", "preliminary", "registered"]

    static func observation(from resource: FHIRJSON, id: Identifier<Observation>, now: Date) throws -> Observation {
        guard case .object = resource else { throw FHIRError.invalid("the body is not a JSON object", at: "Observation") }
        guard resource["resourceType"]?.stringValue == "Observation" else {
            throw FHIRError.invalid("resourceType must be Observation", at: "Observation.resourceType")
        }
        guard let status = resource["status"]?.stringValue else {
            throw FHIRError(status: 400, code: .required, diagnostics: "Observation.status is required", expression: ["Observation.status"])
        }
        guard acceptedStatuses.contains(status) else {
            throw FHIRError.unprocessable("Restora records observations with status final (or amended/corrected/preliminary), not \(status)",
                                          at: "Observation.status", code: .codeInvalid)
        }
        let code = try FHIRCodeSystems.coding(from: resource["code"], at: "Observation.code")
        guard let subject = resource["subject"]?["reference"]?.stringValue else {
            throw FHIRError(status: 400, code: .required, diagnostics: "Observation.subject is required (Patient/<id>)", expression: ["Observation.subject"])
        }
        guard let participant = referenceID(subject, type: "Patient") else {
            throw FHIRError.invalid("Observation.subject must reference a Patient (Patient/<id>)", at: "Observation.subject")
        }
        var visit: Identifier<Visit>?
        if let encounter = resource["encounter"] {
            guard let reference = encounter["reference"]?.stringValue, let visitID = referenceID(reference, type: "Encounter") else {
                throw FHIRError.invalid("Observation.encounter must reference an Encounter (Encounter/<id>)", at: "Observation.encounter")
            }
            visit = Identifier(visitID)
        }
        let effective = try effectiveTime(resource)
        guard effective <= now.addingTimeInterval(300) else {
            throw FHIRError.unprocessable("the observation time is in the future", at: "Observation.effectiveDateTime", code: .value)
        }
        let value = try value(resource)
        var enrolment: Identifier<Enrolment>?
        var panel: String?
        for (index, ext) in (resource["extension"]?.arrayValue ?? []).enumerated() {
            switch ext["url"]?.stringValue {
            case FHIRCodeSystems.enrolmentExtension?:
                guard let reference = ext["valueReference"]?["reference"]?.stringValue,
                      let enrolmentID = referenceID(reference, type: "ResearchSubject") else {
                    throw FHIRError.invalid("the research-subject extension takes valueReference ResearchSubject/<id>",
                                            at: "Observation.extension[\(index)].valueReference")
                }
                enrolment = Identifier(enrolmentID)
            case FHIRCodeSystems.panelExtension?:
                guard let text = ext["valueString"]?.stringValue, !text.isEmpty else {
                    throw FHIRError.invalid("the observation-panel extension takes a valueString", at: "Observation.extension[\(index)].valueString")
                }
                panel = text
            default: continue
            }
        }
        let note = resource["note"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.filter { !$0.isEmpty }.joined(separator: "\n")
        let bodySite = resource["bodySite"].flatMap { $0["text"]?.stringValue ?? $0["coding"]?.arrayValue?.first?["display"]?.stringValue }
        var upperLimit: Double?
        if let ranges = resource["referenceRange"]?.arrayValue, let high = ranges.first?["high"] {
            guard let number = high["value"]?.doubleValue, number.isFinite, number > 0 else {
                throw FHIRError.invalid("referenceRange.high needs a positive value (the laboratory's upper limit of normal)",
                                        at: "Observation.referenceRange[0].high.value")
            }
            if let unit = high["code"]?.stringValue ?? high["unit"]?.stringValue, let valueUnit = value.quantity?.unit, unit != valueUnit {
                throw FHIRError.unprocessable("the upper limit of normal must be in the value's unit (\(valueUnit)), not \(unit)",
                                              at: "Observation.referenceRange[0].high.code", code: .value)
            }
            upperLimit = number
        }
        let specimen = try specimen(resource, participant: participant)
        return Observation(
            id: id, participantID: Identifier(participant), enrolmentID: enrolment, visitID: visit, panelID: panel,
            code: code, value: value, effective: effective, specimen: specimen, bodySite: bodySite,
            note: (note?.isEmpty ?? true) ? nil : note, upperLimitOfNormal: upperLimit)
    }

    static func referenceID(_ reference: String, type: String) -> String? {
        guard let id = FHIRClinicalSearch.referenceID(reference, type: type),
              FHIRClinicalSearch.isValidID(id) else { return nil }
        return id
    }

    static func effectiveTime(_ resource: FHIRJSON) throws -> Date {
        let (text, path): (String?, String)
        if let dateTime = resource["effectiveDateTime"] {
            (text, path) = (dateTime.stringValue, "Observation.effectiveDateTime")
        } else if let instant = resource["effectiveInstant"] {
            (text, path) = (instant.stringValue, "Observation.effectiveInstant")
        } else if resource["effectivePeriod"] != nil || resource["effectiveTiming"] != nil {
            throw FHIRError.unprocessable("Restora records an observation at one time: send effectiveDateTime", at: "Observation.effective[x]")
        } else {
            throw FHIRError(status: 400, code: .required, diagnostics: "Observation.effectiveDateTime is required", expression: ["Observation.effectiveDateTime"])
        }
        guard let text else { throw FHIRError.invalid("\(path) must be a string", at: path) }
        do {
            // A date alone is midnight UTC; a time carries its zone (UTC when none is given).
            return try FHIRClinicalSearch.dateRange(text, parameter: path).lower
        } catch {
            throw FHIRError.invalid("\(path) is not a FHIR dateTime (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss]Z|±hh:mm)", at: path)
        }
    }

    static func value(_ resource: FHIRJSON) throws -> ObservationValue {
        if let q = resource["valueQuantity"] {
            guard let number = q["value"]?.doubleValue else {
                throw FHIRError(status: 400, code: .required, diagnostics: "Observation.valueQuantity.value is required (a number)",
                                expression: ["Observation.valueQuantity.value"])
            }
            guard number.isFinite else { throw FHIRError.invalid("the value must be a finite number", at: "Observation.valueQuantity.value") }
            if let system = q["system"]?.stringValue, system != FHIRCodeSystems.ucum {
                throw FHIRError.unprocessable("Restora records units in UCUM (\(FHIRCodeSystems.ucum)), not \(system)",
                                              at: "Observation.valueQuantity.system", code: .codeInvalid)
            }
            guard let unit = (q["code"]?.stringValue ?? q["unit"]?.stringValue)?.trimmingCharacters(in: .whitespaces), !unit.isEmpty else {
                throw FHIRError(status: 400, code: .required, diagnostics: "Observation.valueQuantity.code is required (a UCUM unit)",
                                expression: ["Observation.valueQuantity.code"])
            }
            return .quantity(Quantity(number, unit))
        }
        if let concept = resource["valueCodeableConcept"] {
            return .coded(try FHIRCodeSystems.coding(from: concept, at: "Observation.valueCodeableConcept"))
        }
        if let integer = resource["valueInteger"] {
            guard let v = integer.intValue else { throw FHIRError.invalid("valueInteger must be an integer", at: "Observation.valueInteger") }
            return .integer(v)
        }
        if let boolean = resource["valueBoolean"] {
            guard let v = boolean.boolValue else { throw FHIRError.invalid("valueBoolean must be true or false", at: "Observation.valueBoolean") }
            return .boolean(v)
        }
        if let string = resource["valueString"] {
            guard let v = string.stringValue, !v.isEmpty else { throw FHIRError.invalid("valueString must be a non-empty string", at: "Observation.valueString") }
            return .text(v)
        }
        for other in ["valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod"] where resource[other] != nil {
            throw FHIRError.unprocessable("Restora records quantities, codes, integers, booleans and strings, not \(other)",
                                          at: "Observation.\(other)", code: .notSupported)
        }
        throw FHIRError(status: 400, code: .required,
                        diagnostics: "Observation.value[x] is required (valueQuantity, valueCodeableConcept, valueInteger, valueBoolean or valueString)",
                        expression: ["Observation.value[x]"])
    }

    /// The specimen from the contained Specimen `specimen.reference` points at (`#id`).
    static func specimen(_ resource: FHIRJSON, participant: String) throws -> SpecimenDetails? {
        guard let reference = resource["specimen"]?["reference"]?.stringValue else { return nil }
        guard reference.hasPrefix("#"),
              let contained = resource["contained"]?.arrayValue?.first(where: { $0["id"]?.stringValue == String(reference.dropFirst()) }),
              contained["resourceType"]?.stringValue == "Specimen" else {
            throw FHIRError.unprocessable("Observation.specimen must reference a contained Specimen (#id); Restora keeps specimens with their observation",
                                          at: "Observation.specimen", code: .notSupported)
        }
        guard let type = contained["type"]?["text"]?.stringValue ?? contained["type"]?["coding"]?.arrayValue?.first?["code"]?.stringValue,
              !type.isEmpty else {
            throw FHIRError(status: 400, code: .required, diagnostics: "the contained Specimen needs type.text (e.g. semen)",
                            expression: ["Observation.contained[0].type"])
        }
        var details = SpecimenDetails(type: type)
        if let collected = contained["collection"]?["collectedDateTime"]?.stringValue {
            details.collected = try? FHIRClinicalSearch.dateRange(collected, parameter: "collectedDateTime").lower
        }
        for ext in contained["extension"]?.arrayValue ?? [] {
            switch ext["url"]?.stringValue {
            case FHIRCodeSystems.specimenCentrifugedExtension?: details.centrifuged = ext["valueBoolean"]?.boolValue
            case FHIRCodeSystems.specimenCentrifugationGExtension?: details.centrifugationG = ext["valueDecimal"]?.doubleValue
            case FHIRCodeSystems.specimenCentrifugationMinutesExtension?: details.centrifugationMinutes = ext["valueDecimal"]?.doubleValue
            case FHIRCodeSystems.specimenPelletExaminedExtension?: details.pelletExamined = ext["valueBoolean"]?.boolValue
            case FHIRCodeSystems.specimenPelletFindingExtension?:
                guard let code = ext["valueCode"]?.stringValue, let finding = SpecimenDetails.PelletFinding(rawValue: code) else {
                    throw FHIRError.unprocessable(
                        "the pellet finding is one of \(SpecimenDetails.PelletFinding.allCases.map(\.rawValue).joined(separator: ", "))",
                        at: "Observation.contained[0].extension", code: .codeInvalid)
                }
                details.pelletFinding = finding
            case FHIRCodeSystems.specimenAbstinenceDaysExtension?: details.abstinenceDays = ext["valueInteger"]?.intValue
            default: continue
            }
        }
        details.note = contained["note"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.first
        return details
    }
}
