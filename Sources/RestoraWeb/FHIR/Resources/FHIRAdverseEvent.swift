import Foundation
import RestoraDomain

/// AdverseEvent (https://hl7.org/fhir/R4/adverseevent.html): a Restora adverse event (CTCAE v5.0 term coded
/// with MedDRA, grade, ICH E2A seriousness, causality, outcome). The mapping (docs/fhir.md "AdverseEvent"):
/// - `actuality` actual; `subject` the participant; `date` the onset; `event` the MedDRA code of the CTCAE
///   term (system `http://terminology.hl7.org/CodeSystem/mdr`) with the term as `text` (uncoded terms: text only);
/// - the CTCAE grade in the CTCAE IG's extension `http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade`
///   (code system `http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system`, codes 1–5), and R4's
///   `severity` derived from it (1 mild, 2 moderate, 3–5 severe);
/// - `seriousness` serious/non-serious (`http://terminology.hl7.org/CodeSystem/adverse-event-seriousness`) with
///   each ICH E2A criterion met as a further coding of Restora's `ae-seriousness-criterion` system;
/// - `outcome` R4's adverse-event-outcome codes; the resolution date in the CTCAE IG's resolved-date extension;
/// - `suspectEntity`: the study treatment (a display-only reference: Restora records relatedness to the
///   program's treatment, not to one product) with `causality.assessment` in the WHO-UMC codes of
///   `http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess` and the assessing investigator as author.
struct FHIRAdverseEventHandler: FHIRResourceHandler {
    let resourceType = "AdverseEvent"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "subject", kind: .reference, documentation: "the participant (Patient/<id>)"),
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the same as subject"),
            FHIRSearchParameter(name: "date", kind: .date, documentation: "the onset date; prefixes eq ne lt le gt ge sa eb"),
            FHIRSearchParameter(name: "seriousness", kind: .token, documentation:
                "serious or non-serious (system http://terminology.hl7.org/CodeSystem/adverse-event-seriousness), or an ICH E2A criterion code of \(FHIRAdverseEventHandler.criterionSystem)"),
            FHIRSearchParameter(name: "severity", kind: .token, documentation: "mild, moderate or severe"),
            FHIRSearchParameter(name: "actuality", kind: .token, documentation: "always actual"),
        ]
    }
    var sortParameters: [String] { ["date", "_lastUpdated"] }

    static let meddraSystem = "http://terminology.hl7.org/CodeSystem/mdr"
    static let gradeExtension = "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade"
    static let gradeSystem = "http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system"
    static let resolvedExtension = "http://hl7.org/fhir/us/ctcae/StructureDefinition/adverse-event-resolved-date"
    static let seriousnessSystem = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
    static let criterionSystem = FHIRCare.codeSystemBase + "ae-seriousness-criterion"
    static let severitySystem = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
    static let outcomeSystem = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
    static let causalitySystem = "http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess"
    static let relatednessSystem = FHIRCare.codeSystemBase + "ae-relatedness"

    static let gradeDisplay = [1: "Mild Adverse Event", 2: "Moderate Adverse Event", 3: "Severe Adverse Event",
                               4: "Life Threatening or Disabling Adverse Event", 5: "Death Related to Adverse Event"]

    /// R4 severity from the CTCAE grade.
    static func severity(grade: Int) -> String { grade <= 1 ? "mild" : grade == 2 ? "moderate" : "severe" }

    static func outcomeCode(_ outcome: AdverseEvent.Outcome) -> (String, String) {
        switch outcome {
        case .recovered: return ("resolved", "Resolved")
        case .recovering: return ("recovering", "Recovering")
        case .recoveredWithSequelae: return ("resolvedWithSequelae", "Resolved with Sequelae")
        case .notRecovered: return ("ongoing", "Ongoing")
        case .fatal: return ("fatal", "Fatal")
        case .unknown: return ("unknown", "Unknown")
        }
    }

    static func causality(_ relatedness: AdverseEvent.Relatedness) -> (String, String)? {
        switch relatedness {
        case .definite: return ("Certain", "Certain")
        case .probable: return ("Probably-Likely", "Probably/Likely")
        case .possible: return ("Possible", "Possible")
        case .unlikely: return ("Unlikely", "Unlikely")
        case .notRelated: return nil
        }
    }

    static let criterionDisplay: [AdverseEvent.Seriousness: String] = [
        .death: "Results in death", .lifeThreatening: "Is life-threatening", .hospitalization: "Requires or prolongs inpatient hospitalization",
        .disability: "Results in persistent or significant disability/incapacity", .congenitalAnomaly: "Is a congenital anomaly/birth defect",
        .otherImportant: "Other important medical event",
    ]

    /// The resource (without `meta`) of an adverse event: BULK's $export calls this for every line.
    static func resource(_ event: AdverseEvent) -> FHIRJSON {
        let grade = FHIRJSON.object([
            "url": .string(gradeExtension),
            "valueCodeableConcept": FHIRCare.concept([
                FHIRCare.coding(system: gradeSystem, code: String(event.grade), display: gradeDisplay[event.grade]),
            ]),
        ])
        let resolved = event.resolution.map { FHIRJSON.object(["url": .string(resolvedExtension), "valueDateTime": FHIRCare.date($0)]) }
        let extensions = FHIRCare.extensions([
            grade, resolved,
            FHIRCare.ext("ae-expected", "valueBoolean", .bool(event.expected)),
            FHIRCare.ext("ae-expected-basis", "valueString", event.expectedBasis.map(FHIRJSON.string)),
            FHIRCare.ext("ae-action-taken", "valueCode", .string(event.actionTaken.rawValue)),
            FHIRCare.ext("ae-sponsor-aware-on", "valueDate", event.sponsorAwareOn.map(FHIRCare.date)),
            FHIRCare.ext("ae-report-due-on", "valueDate", event.reportDueOn.map(FHIRCare.date)),
            FHIRCare.ext("note", "valueString", event.note.map(FHIRJSON.string)),
            FHIRCare.ext("research-subject", "valueReference", event.enrolmentID.map { FHIRCare.reference("ResearchSubject", $0.rawValue) }),
        ])
        var eventCodings: [FHIRJSON] = []
        if let code = event.meddraCode {
            eventCodings.append(FHIRCare.coding(system: meddraSystem, code: code, display: event.term))
        }
        var seriousness = [FHIRCare.coding(system: seriousnessSystem, code: event.isSerious ? "serious" : "non-serious",
                                           display: event.isSerious ? "Serious" : "Non-serious")]
        seriousness += event.seriousness.map {
            FHIRCare.coding(system: criterionSystem, code: $0.rawValue, display: criterionDisplay[$0])
        }
        let (outcome, outcomeDisplay) = outcomeCode(event.outcome)
        var assessment = [FHIRJSON]()
        if let who = causality(event.relatedness) {
            assessment.append(FHIRCare.coding(system: causalitySystem, code: who.0, display: who.1))
        }
        assessment.append(FHIRCare.coding(system: relatednessSystem, code: event.relatedness.rawValue))
        let causality = FHIRJSON.object([
            "assessment": FHIRCare.concept(assessment),
            "author": event.causalityAssessedBy.map { FHIRCare.user(Actor(userID: $0, role: "investigator")) },
        ])
        let severity = severity(grade: event.grade)
        return .object([
            "resourceType": .string("AdverseEvent"),
            "id": .string(event.id.rawValue),
            "extension": extensions,
            "actuality": .string("actual"),
            "event": FHIRCare.concept(eventCodings, text: event.termText),
            "subject": FHIRCare.patient(event.participantID),
            "date": FHIRCare.date(event.onset),
            "seriousness": FHIRCare.concept(seriousness),
            "severity": FHIRCare.concept([FHIRCare.coding(system: severitySystem, code: severity, display: severity.capitalized)]),
            "outcome": FHIRCare.concept([FHIRCare.coding(system: outcomeSystem, code: outcome, display: outcomeDisplay)]),
            "suspectEntity": .array([.object([
                "instance": .object(["display": .string("the program's study treatment")]),
                "causality": .array([causality]),
            ])]),
        ])
    }

    static func stored(_ event: Versioned<AdverseEvent>) -> FHIRStoredResource {
        FHIRStoredResource(type: "AdverseEvent", id: event.value.id.rawValue, event, resource: resource(event.value))
    }

    func visible(_ id: String, in context: FHIRInteractionContext) async throws -> Versioned<AdverseEvent> {
        let repositories = context.repositories
        return try await FHIRCare.visibleRecord("AdverseEvent", id, in: context,
                                                get: { try await repositories.adverseEvents.get(Identifier($0)) },
                                                participant: \.participantID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        Self.stored(try await visible(id, in: context))
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "subject", "patient", "date", "seriousness", "severity", "actuality"],
                                   type: resourceType)
        let dates = try query.values("date").map { criterion in
            try criterion.values.map { try DateParameter(parsing: $0, parameter: "date") }
        }
        let seriousness = try query.values("seriousness").map { try Self.seriousnessFilter($0) }
        let severities = try query.values("severity").map { criterion -> Set<String> in
            let codes = Set(criterion.values.map { $0.split(separator: "|").last.map(String.init) ?? $0 })
            for code in codes where !["mild", "moderate", "severe"].contains(code) {
                throw FHIRError.invalid("severity is mild, moderate or severe, got '\(code)'", at: "severity")
            }
            return codes
        }
        for criterion in query.values("actuality") where !criterion.values.contains(where: { $0.split(separator: "|").last == "actual" }) {
            return FHIRSearchPage(resources: [], nextCursor: nil, total: 0)
        }
        let candidates: [Versioned<AdverseEvent>]
        if let people = try FHIRCare.participants(in: query, names: ["subject", "patient"]) {
            var found: [Versioned<AdverseEvent>] = []
            for person in people {
                guard (try? await FHIRCare.visibleParticipant(person, in: context)) != nil else { continue }
                found += try await context.repositories.adverseEvents.list(participant: person)
            }
            candidates = found
        } else if let ids = FHIRCare.ids(in: query) {
            var found: [Versioned<AdverseEvent>] = []
            for id in ids.sorted() {
                if let event = try? await visible(id, in: context) { found.append(event) }
            }
            candidates = found
        } else {
            return try await searchAll(query, dates: dates, seriousness: seriousness, severities: severities, in: context)
        }
        let ids = FHIRCare.ids(in: query)
        let filtered = candidates.filter { record in
            let e = record.value
            if let ids, !ids.contains(e.id.rawValue) { return false }
            for group in dates where !group.contains(where: { $0.matches(day: e.onset) }) { return false }
            for filter in seriousness where !filter.matches(e) { return false }
            for group in severities where !group.contains(Self.severity(grade: e.grade)) { return false }
            return true
        }
        return try FHIRCare.page(filtered.map { record in
            FHIRCare.Candidate(sortKey: record.value.onset.description, lastUpdated: FHIRCare.sortKey(record.updatedAt),
                               resource: Self.stored(record))
        }, query, dateKey: "date")
    }

    /// One `seriousness` criterion: values ORed, each `[system|]code`.
    struct SeriousnessFilter: Sendable {
        var serious: Bool
        var nonSerious: Bool
        var criteria: Set<AdverseEvent.Seriousness>

        func matches(_ event: AdverseEvent) -> Bool {
            if serious && event.isSerious { return true }
            if nonSerious && !event.isSerious { return true }
            return !criteria.isDisjoint(with: event.seriousness)
        }
    }

    static func seriousnessFilter(_ criterion: FHIRSearchCriterion) throws -> SeriousnessFilter {
        if let modifier = criterion.modifier {
            throw FHIRError.invalid("the modifier :\(modifier) is not supported on seriousness", at: "seriousness")
        }
        var filter = SeriousnessFilter(serious: false, nonSerious: false, criteria: [])
        for value in criterion.values {
            let parts = value.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let (system, code) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
            if (system.isEmpty || system == seriousnessSystem), code == "serious" || code == "non-serious" {
                if code == "serious" { filter.serious = true } else { filter.nonSerious = true }
            } else if (system.isEmpty || system == criterionSystem), let criterion = AdverseEvent.Seriousness(rawValue: code) {
                filter.criteria.insert(criterion)
            } else {
                throw FHIRError.invalid(
                    "seriousness is serious or non-serious (\(seriousnessSystem)) or an ICH E2A criterion of \(criterionSystem), got '\(value)'",
                    at: "seriousness")
            }
        }
        return filter
    }

    /// A search without a patient or id: in SQL over the user's sites (`FHIRAdverseEventSearch`), one page per
    /// statement, keyset-paged on (onset or lastUpdated, id); `total` is not counted.
    func searchAll(
        _ query: FHIRSearchQuery, dates: [[DateParameter]], seriousness: [SeriousnessFilter], severities: [Set<String>],
        in context: FHIRInteractionContext
    ) async throws -> FHIRSearchPage {
        var criteria = FHIRAdverseEventCriteria(siteIDs: context.visibleSites, limit: query.count + 1)
        criteria.onset = dates.map { $0.map { $0.dayRange() } }
        criteria.lastUpdated = try query.values("_lastUpdated").map { criterion in
            try criterion.values.map { try DateParameter(parsing: $0, parameter: "_lastUpdated").instantRange() }
        }
        criteria.seriousness = seriousness.map { filter in
            (filter.serious ? [.serious] : []) + (filter.nonSerious ? [.nonSerious] : [])
                + filter.criteria.sorted { $0.rawValue < $1.rawValue }.map { .criterion($0) }
        }
        criteria.grades = severities.map { codes in
            (1...5).filter { codes.contains(Self.severity(grade: $0)) }
        }
        let sort = query.sort.first
        switch sort?.name {
        case nil, "date": criteria.sort = .onset
        case "_lastUpdated": criteria.sort = .lastUpdated
        case "_id": criteria.sort = .id
        case let other?: throw FHIRError.invalid("\(other) is not a sort key of AdverseEvent", at: "_sort")
        }
        criteria.descending = sort?.descending ?? false
        if let cursor = query.cursor {
            guard let bar = cursor.firstIndex(of: "|") else { throw FHIRError.invalid("the paging cursor is not valid", at: "_cursor") }
            let value = String(cursor[..<bar])
            criteria.after = FHIRAdverseEventCriteria.Position(sortValue: criteria.sort == .id ? nil : value,
                                                               id: String(cursor[cursor.index(after: bar)...]))
        }
        guard query.count > 0 else { return FHIRSearchPage(resources: [], nextCursor: nil, total: nil) }
        let rows = try await context.repositories.fhirAdverseEvents.adverseEvents(criteria)
        let page = Array(rows.prefix(query.count))
        var next: String?
        if rows.count > query.count, let last = page.last {
            let key: String = switch criteria.sort {
            case .onset: last.value.onset.description
            case .lastUpdated: FHIRCare.sortKey(last.updatedAt)
            case .id: ""
            }
            next = "\(key)|\(last.value.id.rawValue)"
        }
        return FHIRSearchPage(resources: page.map(Self.stored), nextCursor: next, total: nil)
    }
}
