import Foundation
import RestoraDomain

/// FHIR ResearchStudy (https://hl7.org/fhir/R4/researchstudy.html) = a Restora program: its protocol id and
/// version, its arms from the protocol file. Read-only. A program is visible when it runs at one of the user's
/// sites (admins: all); another's is 404. Programs are few: the search filters them in memory, paged by id.
struct FHIRResearchStudyHandler: FHIRResourceHandler {
    let resourceType = "ResearchStudy"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "identifier", kind: .token,
                                documentation: "protocol id (urn:restora:protocol) or program id (urn:restora:program); system|value or value"),
            FHIRSearchParameter(name: "title", kind: .string, documentation: "program name: starts with (case-insensitive), :exact, :contains"),
            FHIRSearchParameter(name: "status", kind: .token, documentation: "active (every Restora program is active)"),
        ]
    }

    var sortParameters: [String] { ["_id"] }

    /// The extension carrying the protocol version the program runs (ResearchStudy has no element for it).
    static let protocolVersionExtension = "urn:restora:fhir:protocol-version"

    // MARK: The mapping (pure; BULK streams $export with it)

    /// The ResearchStudy of a program; `definition` (the program's protocol version from the catalog) gives the
    /// arms, the title and the summary; without it the study has no arms.
    static func resource(_ program: Program, definition: ProtocolDefinition?) -> FHIRJSON {
        let arms = definition?.arms ?? []
        return .object([
            "resourceType": .string("ResearchStudy"),
            "id": .string(program.id.rawValue),
            "extension": .array([.object([
                "url": .string(protocolVersionExtension), "valueString": .string(program.protocolVersion),
            ])]),
            "identifier": .array([
                .object(["use": .string("official"), "system": .string(FHIRPatientSupport.protocolSystem), "value": .string(program.protocolID)]),
                .object(["use": .string("secondary"), "system": .string(FHIRPatientSupport.programSystem), "value": .string(program.id.rawValue)]),
            ]),
            "title": .string(program.name),
            "status": .string("active"),
            "primaryPurposeType": .object(["coding": .array([.object([
                "system": .string("http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type"), "code": .string("treatment"),
                "display": .string("Treatment"),
            ])])]),
            "description": (definition.flatMap { $0.summary ?? $0.title }).map(FHIRJSON.string),
            "arm": arms.isEmpty ? nil : .array(arms.map { arm in
                .object(["name": .string(arm.id), "description": .string(arm.title)])
            }),
        ])
    }

    static func stored(_ program: Versioned<Program>, catalog: ProtocolCatalog) -> FHIRStoredResource {
        let definition = try? catalog.definition(for: program.value)
        return FHIRStoredResource(type: "ResearchStudy", id: program.value.id.rawValue, program, resource: resource(program.value, definition: definition))
    }

    static func visible(_ program: Program, to user: UserAccount) -> Bool {
        user.role.seesAllSites || program.siteIDs.contains(where: user.siteIDs.contains)
    }

    // MARK: Interactions

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRPatientSupport.isValidID(id) else { throw FHIRError.notFound(resourceType, id) }
        let program: Versioned<Program>
        do {
            program = try await context.repositories.programs.get(Identifier(id))
        } catch RepositoryError.notFound {
            throw FHIRError.notFound(resourceType, id)
        }
        guard Self.visible(program.value, to: context.user) else { throw FHIRError.notFound(resourceType, id) }
        return Self.stored(program, catalog: context.dependencies.catalog)
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let sort = try FHIRPatientSupport.sort(query, keys: ["_id": .id], type: resourceType)
        let after = try FHIRPatientSupport.decodeCursor(query.cursor, sort)
        var programs = try await context.repositories.programs.list().filter { Self.visible($0.value, to: context.user) }
        for criterion in query.criteria {
            let keep = try Self.matcher(criterion)
            programs = programs.filter(keep)
        }
        programs.sort { sort.descending ? $0.value.id.rawValue > $1.value.id.rawValue : $0.value.id.rawValue < $1.value.id.rawValue }
        if let after {
            programs = programs.filter { sort.descending ? $0.value.id.rawValue < after.id : $0.value.id.rawValue > after.id }
        }
        let (items, next) = FHIRPatientSupport.page(programs, count: query.count, sort: sort) { .init(sortValue: nil, id: $0.value.id.rawValue) }
        return FHIRSearchPage(resources: items.map { Self.stored($0, catalog: context.dependencies.catalog) }, nextCursor: next, total: nil)
    }

    /// One criterion as a filter (its values ORed).
    static func matcher(_ criterion: FHIRSearchCriterion) throws -> (Versioned<Program>) -> Bool {
        switch criterion.name {
        case "_id":
            let ids = Set(try FHIRPatientSupport.ids(criterion, "ResearchStudy"))
            return { ids.contains($0.value.id.rawValue) }
        case "_lastUpdated":
            try FHIRPatientSupport.requireNoModifier(criterion, "ResearchStudy")
            let ranges = try criterion.values.map { try FHIRPatientSupport.dateRange($0, parameter: "_lastUpdated", days: false) }
            return { program in
                let stamp = FHIRPatientSupport.storedInstant(program.updatedAt)
                return ranges.contains { FHIRPatientSupport.matches(stamp, $0) }
            }
        case "identifier":
            try FHIRPatientSupport.requireNoModifier(criterion, "ResearchStudy")
            let tokens = criterion.values.map(FHIRPatientSupport.token)
            return { program in
                tokens.contains { system, code in
                    switch system {
                    case nil: code == program.value.protocolID || code == program.value.id.rawValue
                    case FHIRPatientSupport.protocolSystem?: code == program.value.protocolID
                    case FHIRPatientSupport.programSystem?: code == program.value.id.rawValue
                    default: false
                    }
                }
            }
        case "title":
            let values = criterion.values.map { $0.lowercased() }
            switch criterion.modifier {
            case nil: return { p in values.contains { p.value.name.lowercased().hasPrefix($0) } }
            case "contains": return { p in values.contains { p.value.name.lowercased().contains($0) } }
            case "exact": return { p in criterion.values.contains(p.value.name) }
            default: throw FHIRPatientSupport.unsupported(criterion, "ResearchStudy")
            }
        case "status":
            try FHIRPatientSupport.requireNoModifier(criterion, "ResearchStudy")
            let active = criterion.values.contains { FHIRPatientSupport.token($0).code == "active" }
            return { _ in active }
        default:
            throw FHIRError(status: 400, code: .notSupported, diagnostics: "ResearchStudy has no search parameter \(criterion.name)")
        }
    }
}

extension FHIRPatientSupport {
    /// Whether a stored text value satisfies a range (the SQL of `SQLFHIRPatientSearch.range`, in memory).
    static func matches(_ value: String, _ r: FHIRPatientSearchCriteria.TextRange) -> Bool {
        switch r.comparator {
        case .eq: value >= r.lower && value < r.upper
        case .ne: value < r.lower || value >= r.upper
        case .lt: value < r.lower
        case .le: value < r.upper
        case .gt: value >= r.upper
        case .ge: value >= r.lower
        }
    }
}
