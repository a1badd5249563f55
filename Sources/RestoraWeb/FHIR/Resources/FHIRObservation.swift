import Foundation
import RestoraDomain

/// FHIR R4 Observation (https://hl7.org/fhir/R4/observation.html) ↔ Restora `Observation` (one stored value:
/// a semen parameter, the WHO semen classification, a laboratory value, a DXA BMD or T-score, a PHQ-9 total…).
/// The mapping is pure (`resource(_:)`), so bulk export streams it without a request. docs/fhir.md "Observation".
struct FHIRObservationHandler: FHIRResourceHandler {
    var resourceType: String { "Observation" }

    // MARK: Mapping (pure; BULK calls it)

    /// The Observation of a stored observation, without `meta` (the server adds versionId and lastUpdated).
    /// `status` is `final` for version 1 and `amended` once corrected. The CTCAE grade of a graded laboratory
    /// value is computed from the value and its own ULN (a baseline-relative grade is the JSON API's answer at
    /// entry time; without a baseline both agree). `change` is the DXA least-significant-change verdict of a
    /// BMD against the previous scan, when the caller knows it (read/search compute it; nil leaves it out).
    static func resource(_ stored: Versioned<Observation>, change: BoneDensityChangeAssessment? = nil) -> FHIRJSON {
        let o = stored.value
        var members: [(String, FHIRJSON)] = [("resourceType", .string("Observation")), ("id", .string(o.id.rawValue))]
        if o.specimen != nil, let specimen = specimenResource(o) { members.append(("contained", .array([specimen])))}
        var extensions: [FHIRJSON] = []
        if let enrolment = o.enrolmentID {
            extensions.append(.object([
                ("url", .string(FHIRCodeSystems.enrolmentExtension)),
                ("valueReference", .object([("reference", .string("ResearchSubject/\(enrolment.rawValue)"))])),
            ]))
        }
        if let panel = o.panelID {
            extensions.append(.object([("url", .string(FHIRCodeSystems.panelExtension)), ("valueString", .string(panel))]))
        }
        let grade = ctcaeGrade(o)
        if let grade {
            extensions.append(.object([
                ("url", .string(FHIRCodeSystems.ctcaeTermExtension)),
                ("valueString", .string("CTCAE v5.0 \(grade.termName)" + (grade.rule.map { " (\($0))" } ?? ""))),
            ]))
        }
        if !extensions.isEmpty { members.append(("extension", .array(extensions))) }
        members.append(("status", .string(stored.version > 1 ? "amended" : "final")))
        if let category = FHIRCodeSystems.observationCategory(o.code) {
            members.append(("category", .array([FHIRCodeSystems.codeableConcept(
                system: FHIRCodeSystems.observationCategory, code: category, display: FHIRCodeSystems.categoryDisplay[category])])))
        }
        members.append(("code", FHIRCodeSystems.codeableConcept(o.code)))
        members.append(("subject", reference("Patient", o.participantID.rawValue)))
        if let visit = o.visitID { members.append(("encounter", reference("Encounter", visit.rawValue))) }
        members.append(("effectiveDateTime", .string(FHIRInstantText.format(o.effective))))
        switch o.value {
        case let .quantity(q): members.append(("valueQuantity", quantity(q.value, unit: q.unit)))
        case let .coded(c): members.append(("valueCodeableConcept", FHIRCodeSystems.codeableConcept(c)))
        case let .integer(v): members.append(("valueInteger", .integer(v)))
        case let .boolean(v): members.append(("valueBoolean", .bool(v)))
        case let .text(v): members.append(("valueString", .string(v)))
        }
        var interpretations: [FHIRJSON] = []
        if let grade, let value = grade.grade {
            interpretations.append(FHIRCodeSystems.codeableConcept(
                system: FHIRCodeSystems.ctcaeGrade, code: String(value), display: "Grade \(value)",
                text: "CTCAE v5.0 \(grade.termName) grade \(value)"))
        }
        if let uln = o.upperLimitOfNormal, let value = o.value.quantity?.value {
            let high = value > uln
            interpretations.append(FHIRCodeSystems.codeableConcept(
                system: FHIRCodeSystems.observationInterpretation, code: high ? "H" : "N", display: high ? "High" : "Normal"))
        }
        if let change {
            switch change.verdict {
            case .significantGain:
                interpretations.append(FHIRCodeSystems.codeableConcept(
                    system: FHIRCodeSystems.observationInterpretation, code: "U", display: "Significant change up",
                    text: lscText(change)))
            case .significantLoss:
                interpretations.append(FHIRCodeSystems.codeableConcept(
                    system: FHIRCodeSystems.observationInterpretation, code: "D", display: "Significant change down",
                    text: lscText(change)))
            case .noSignificantChange:
                interpretations.append(FHIRCodeSystems.codeableConcept(
                    system: FHIRCodeSystems.restora, code: "lsc-no-significant-change", display: "No significant change (within LSC)",
                    text: lscText(change)))
            }
        }
        if !interpretations.isEmpty { members.append(("interpretation", .array(interpretations))) }
        if let note = o.note, !note.isEmpty { members.append(("note", .array([.object([("text", .string(note))])]))) }
        if let site = o.bodySite, !site.isEmpty { members.append(("bodySite", .object([("text", .string(site))]))) }
        if o.specimen != nil { members.append(("specimen", .object([("reference", .string("#specimen"))]))) }
        if let uln = o.upperLimitOfNormal {
            let unit = o.value.quantity?.unit
            members.append(("referenceRange", .array([.object([
                ("high", unit.map { quantity(uln, unit: $0) } ?? .object([("value", FHIRJSON.number(uln))])),
                ("text", .string("upper limit of normal printed by the laboratory")),
            ])])))
        }
        return .object(members)
    }

    /// The stored resource (resource + version + last update).
    static func stored(_ stored: Versioned<Observation>, change: BoneDensityChangeAssessment? = nil) -> FHIRStoredResource {
        FHIRStoredResource(type: "Observation", id: stored.value.id.rawValue, stored, resource: resource(stored, change: change))
    }

    static func reference(_ type: String, _ id: String) -> FHIRJSON {
        .object([("reference", .string("\(type)/\(id)"))])
    }

    static func quantity(_ value: Double, unit: String) -> FHIRJSON {
        .object([
            ("value", FHIRJSON.number(value)),
            ("unit", .string(UnitText.readable(unit))),
            ("system", .string(FHIRCodeSystems.ucum)),
            ("code", .string(unit)),
        ])
    }

    /// The CTCAE grade of a graded laboratory value with its own ULN (nil: not a graded test, or ungradable).
    static func ctcaeGrade(_ o: Observation) -> CTCAEGradeResult? {
        guard CTCAELabCodes.term(for: o.code) != nil else { return nil }
        return (try? ObservationInterpretation.of(o))?.ctcae
    }

    static func lscText(_ change: BoneDensityChangeAssessment) -> String {
        let unit = change.lscUnit == .percent ? "%" : "g/cm²"
        return "BMD change \(NumberText.plain((change.changePercent * 10).rounded() / 10)) % against the previous scan; "
            + "least significant change \(NumberText.plain((change.leastSignificantChange * 1000).rounded() / 1000)) \(unit) (\(change.precisionSource))"
    }

    /// The specimen as a contained Specimen (`#specimen`): type, collection time, centrifugation and pellet
    /// examination as Restora extensions, abstinence days, note.
    static func specimenResource(_ o: Observation) -> FHIRJSON? {
        guard let s = o.specimen else { return nil }
        var extensions: [FHIRJSON] = []
        func add(_ url: String, _ key: String, _ value: FHIRJSON?) {
            if let value { extensions.append(.object([("url", .string(url)), (key, value)])) }
        }
        add(FHIRCodeSystems.specimenCentrifugedExtension, "valueBoolean", s.centrifuged.map { .bool($0) })
        add(FHIRCodeSystems.specimenCentrifugationGExtension, "valueDecimal", s.centrifugationG.map { FHIRJSON.number($0) })
        add(FHIRCodeSystems.specimenCentrifugationMinutesExtension, "valueDecimal", s.centrifugationMinutes.map { FHIRJSON.number($0) })
        add(FHIRCodeSystems.specimenPelletExaminedExtension, "valueBoolean", s.pelletExamined.map { .bool($0) })
        add(FHIRCodeSystems.specimenPelletFindingExtension, "valueCode", s.pelletFinding.map { .string($0.rawValue) })
        add(FHIRCodeSystems.specimenAbstinenceDaysExtension, "valueInteger", s.abstinenceDays.map { .integer($0) })
        return .object([
            "resourceType": .string("Specimen"),
            "id": .string("specimen"),
            "extension": extensions.isEmpty ? nil : .array(extensions),
            "type": .object([("text", .string(s.type))]),
            "subject": reference("Patient", o.participantID.rawValue),
            "collection": s.collected.map { .object([("collectedDateTime", .string(FHIRInstantText.format($0)))]) },
            "note": s.note.map { .array([.object([("text", .string($0))])]) },
        ])
    }
}

/// FHIR instants and dateTimes as text, fast (no Foundation formatter: bulk export maps many per second):
/// UTC with milliseconds, `2025-06-07T09:00:00.000Z`, the same text the store keeps.
enum FHIRInstantText {
    static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = milliseconds / 86_400_000
        var rest = milliseconds % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3_600_000, minute = rest / 60_000 % 60, second = rest / 1000 % 60, milli = rest % 1000
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var v = value
            for _ in 0..<count { out.append(UInt8(48 + v / divisor % 10)); v %= divisor; divisor /= 10; if divisor == 0 { break } }
        }
        digits(year, 4); out.append(45); digits(month, 2); out.append(45); digits(day, 2); out.append(84)
        digits(hour, 2); out.append(58); digits(minute, 2); out.append(58); digits(second, 2); out.append(46)
        digits(milli, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// A calendar date as FHIR `date` text (YYYY-MM-DD).
    static func format(_ date: CalendarDate) -> String { date.description }

    /// Days since 1970-01-01 → (year, month, day), H. Hinnant's civil_from_days.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
