import Foundation
import RestoraDomain

/// FHIR Patient (https://hl7.org/fhir/R4/patient.html) = a Restora participant (docs/fhir.md "Patient").
/// Reads are site-scoped (another site's participant is 404) and a read is logged like the JSON API's; create
/// and update go through the JSON API's own steps (`ParticipantInput` checks, `RecordReferences.site`,
/// `participants.create/update` with audit), with messages naming `Patient.x`.
struct FHIRPatientHandler: FHIRResourceHandler {
    let resourceType = "Patient"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "identifier", kind: .token,
                                documentation: "MRN (system urn:restora:site:<site code>:mrn) or participant id (urn:restora:participant); system|value, |value or value"),
            FHIRSearchParameter(name: "name", kind: .string,
                                documentation: "given or family name: starts with (case-insensitive), :exact, :contains"),
            FHIRSearchParameter(name: "given", kind: .string, documentation: "given name: starts with, :exact, :contains"),
            FHIRSearchParameter(name: "family", kind: .string, documentation: "family name: starts with, :exact, :contains"),
            FHIRSearchParameter(name: "birthdate", kind: .date, documentation: "birth date with eq, ne, lt, le, gt, ge, sa, eb"),
            FHIRSearchParameter(name: "gender", kind: .token, documentation: "male | female | other | unknown"),
        ]
    }

    var sortParameters: [String] { ["_id", "_lastUpdated", "birthdate"] }
    var supportsCreate: Bool { true }
    var supportsUpdate: Bool { true }

    static let sortKeys: [String: FHIRPatientSearchCriteria.SortKey] = ["_id": .id, "_lastUpdated": .lastUpdated, "birthdate": .birthDate]

    // MARK: The mapping (pure; BULK streams $export with it)

    /// The Patient of a participant. `site` gives the MRN's system (`urn:restora:site:<code>:mrn`) and
    /// `managingOrganization`; without it the MRN is written with the site id as code.
    static func resource(_ participant: Participant, site: Site?) -> FHIRJSON {
        let siteCode = site?.code ?? participant.siteID.rawValue
        let given = participant.givenName.map { name in
            name.split(separator: " ").map { FHIRJSON.string(String($0)) }
        }
        let hasName = participant.givenName != nil || participant.familyName != nil
        return .object([
            "resourceType": .string("Patient"),
            "id": .string(participant.id.rawValue),
            "identifier": .array([
                .object([
                    "use": .string("usual"),
                    "type": .object(["coding": .array([.object([
                        "system": .string("http://terminology.hl7.org/CodeSystem/v2-0203"), "code": .string("MR"),
                        "display": .string("Medical record number"),
                    ])])]),
                    "system": .string(FHIRPatientSupport.mrnSystem(siteCode: siteCode)),
                    "value": .string(participant.mrn),
                ]),
                .object([
                    "use": .string("secondary"),
                    "system": .string(FHIRPatientSupport.participantSystem),
                    "value": .string(participant.id.rawValue),
                ]),
            ]),
            "name": hasName ? .array([.object([
                "use": .string("official"),
                "family": participant.familyName.map(FHIRJSON.string),
                "given": given.flatMap { $0.isEmpty ? nil : FHIRJSON.array($0) },
            ])]) : nil,
            "gender": .string(participant.sex.rawValue),
            "birthDate": .string(participant.birthDate.description),
            "managingOrganization": .object([
                "identifier": .object(["system": .string(FHIRPatientSupport.siteSystem), "value": .string(siteCode)]),
                "display": site.map { FHIRJSON.string($0.name) },
            ]),
        ])
    }

    static func stored(_ participant: Versioned<Participant>, site: Site?) -> FHIRStoredResource {
        FHIRStoredResource(type: "Patient", id: participant.value.id.rawValue, participant, resource: resource(participant.value, site: site))
    }

    // MARK: Read

    /// The participant if the user may see it; `FHIRError.notFound` otherwise (another site's too).
    static func visibleParticipant(_ id: String, in context: FHIRInteractionContext) async throws -> Versioned<Participant> {
        guard FHIRPatientSupport.isValidID(id) else { throw FHIRError.notFound("Patient", id) }
        do {
            return try await Access.participant(Identifier(id), for: context.user, in: context.repositories)
        } catch RepositoryError.notFound {
            throw FHIRError.notFound("Patient", id)
        }
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        let participant = try await Self.visibleParticipant(id, in: context)
        try await context.repositories.participants.logRead(participant, context: context.audit)
        let site = try? await context.repositories.sites.get(participant.value.siteID).value
        return Self.stored(participant, site: site)
    }

    // MARK: Search

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        let sites = try await context.repositories.sites.list().map(\.value)
        let sort = try FHIRPatientSupport.sort(query, keys: Self.sortKeys, type: resourceType)
        var criteria = try Self.criteria(query, sites: sites, visibleSites: context.visibleSites)
        criteria.sort = sort.key
        criteria.descending = sort.descending
        criteria.after = try FHIRPatientSupport.decodeCursor(query.cursor, sort)
        criteria.limit = query.count + 1
        let found = query.count == 0 ? [] : try await context.repositories.fhirPatientSearch.patients(criteria)
        let (items, next) = FHIRPatientSupport.page(found, count: query.count, sort: sort) {
            .init(sortValue: FHIRPatientSupport.sortValue(sort.key, updatedAt: $0.updatedAt, birthDate: $0.value.birthDate), id: $0.value.id.rawValue)
        }
        // The total (what `_summary=count` and `_count=0` answer): on the first page only, free when that page
        // holds every match, else one COUNT with the same WHERE clause (site scope included).
        var total: Int?
        if criteria.after == nil {
            total = found.count <= query.count && query.count > 0 ? found.count
                : try await context.repositories.fhirPatientSearch.countPatients(criteria)
        }
        let byID = Dictionary(sites.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return FHIRSearchPage(resources: items.map { Self.stored($0, site: byID[$0.value.siteID]) }, nextCursor: next, total: total)
    }

    /// The search parameters as stored terms (pure).
    static func criteria(
        _ query: FHIRSearchQuery, sites: [Site], visibleSites: Set<Identifier<Site>>?
    ) throws -> FHIRPatientSearchCriteria.Patients {
        var c = FHIRPatientSearchCriteria.Patients(siteIDs: visibleSites)
        let siteByCode = Dictionary(sites.map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        for criterion in query.criteria {
            switch criterion.name {
            case "_id":
                c.ids.append(try FHIRPatientSupport.ids(criterion, "Patient"))
            case "_lastUpdated":
                try FHIRPatientSupport.requireNoModifier(criterion, "Patient")
                c.lastUpdated.append(try criterion.values.map { try FHIRPatientSupport.dateRange($0, parameter: "_lastUpdated", days: false) })
            case "identifier":
                try FHIRPatientSupport.requireNoModifier(criterion, "Patient")
                c.identifiers.append(criterion.values.map { value in
                    let (system, code) = FHIRPatientSupport.token(value)
                    switch system {
                    case nil: return .anySystem(code)
                    case FHIRPatientSupport.participantSystem?: return .participant(code)
                    case let system?:
                        guard let siteCode = FHIRPatientSupport.siteCode(ofMRNSystem: system) else { return .nothing }
                        guard let site = siteByCode[siteCode] else { return .nothing }
                        return .mrn(site: site, value: code)
                    }
                })
            case "name", "given", "family":
                let match: FHIRPatientSearchCriteria.NameMatch
                switch criterion.modifier {
                case nil: match = .startsWith
                case "exact": match = .exact
                case "contains": match = .contains
                default: throw FHIRPatientSupport.unsupported(criterion, "Patient")
                }
                let part: FHIRPatientSearchCriteria.NamePart = criterion.name == "given" ? .given : criterion.name == "family" ? .family : .any
                c.names.append(criterion.values.filter { !$0.isEmpty }.map { .init($0, match: match, part: part) })
            case "birthdate":
                try FHIRPatientSupport.requireNoModifier(criterion, "Patient")
                c.birthDates.append(try criterion.values.map { try FHIRPatientSupport.dateRange($0, parameter: "birthdate", days: true) })
            case "gender":
                let negate: Bool
                switch criterion.modifier {
                case nil: negate = false
                case "not": negate = true
                default: throw FHIRPatientSupport.unsupported(criterion, "Patient")
                }
                var sexes: [Sex] = []
                for value in criterion.values {
                    let (system, code) = FHIRPatientSupport.token(value)
                    if let system, !system.isEmpty, system != "http://hl7.org/fhir/administrative-gender" { continue }
                    guard let sex = Sex(rawValue: code) else {
                        throw FHIRError.invalid("gender: \(code) is not an administrative gender (male, female, other, unknown)")
                    }
                    sexes.append(sex)
                }
                c.genders.append(negate ? Sex.allCases.filter { !sexes.contains($0) } : sexes)
            default:
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "Patient has no search parameter \(criterion.name)")
            }
        }
        return c
    }

    // MARK: Create and update

    func create(_ resource: FHIRJSON, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let sites = try await context.repositories.sites.list().map(\.value)
        let fields = try Self.fields(resource, sites: sites, user: context.user)
        let site = try await Self.checkSite(fields, in: context)
        let participant = try Self.participant(fields, id: Identifier(context.dependencies.ids.next()), keeping: nil, today: CalendarDate(context.now))
        let stored = try await Self.mapped {
            try await context.repositories.participants.create(participant, context: context.audit, idempotencyKey: nil)
        }
        return Self.stored(stored, site: site)
    }

    func update(id: String, _ resource: FHIRJSON, expectedVersion: Int?, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        try context.requireWriter()
        let current = try await Self.visibleParticipant(id, in: context)
        if let bodyID = try FHIRPatientSupport.string(resource["id"], at: "Patient.id"), bodyID != id {
            throw FHIRError.invalid("Patient.id \(bodyID) is not the id in the URL (\(id))", at: "Patient.id")
        }
        let sites = try await context.repositories.sites.list().map(\.value)
        let fields = try Self.fields(resource, sites: sites, user: context.user)
        let site = try await Self.checkSite(fields, in: context)
        let participant = try Self.participant(fields, id: current.value.id, keeping: current.value, today: CalendarDate(context.now))
        var audit = context.audit
        audit.reason = try FHIRPatientSupport.reason(resource, type: "Patient", context: context)
        let stored = try await Self.mapped {
            try await context.repositories.participants.update(participant, expectedVersion: expectedVersion ?? current.version, context: audit)
        }
        return Self.stored(stored, site: site)
    }

    /// What a posted Patient says, read strictly: a wrong JSON type is 400 naming the element; a missing or
    /// unusable value is 422 naming it.
    struct Fields {
        var site: Site
        var mrn: String
        var mrnPath: String
        var givenName: String?
        var familyName: String?
        var sex: Sex
        var birthDate: CalendarDate
    }

    static func fields(_ resource: FHIRJSON, sites: [Site], user: UserAccount) throws -> Fields {
        try FHIRPatientSupport.requireType(resource, "Patient")
        let siteByCode = Dictionary(sites.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var mrn: (site: Site, value: String, path: String)?
        for (index, identifier) in try FHIRPatientSupport.array(resource["identifier"], at: "Patient.identifier").enumerated() {
            let path = "Patient.identifier[\(index)]"
            guard case .object = identifier else { throw FHIRPatientSupport.structure("\(path) must be an Identifier", at: path) }
            guard let system = try FHIRPatientSupport.string(identifier["system"], at: "\(path).system"),
                  let code = FHIRPatientSupport.siteCode(ofMRNSystem: system) else { continue }
            guard mrn == nil else {
                throw FHIRError.unprocessable("a Patient has one MRN: the identifier system urn:restora:site:<code>:mrn appears twice", at: path, code: .value)
            }
            guard let site = siteByCode[code], user.canSee(site: site.id) else {
                throw FHIRError.unprocessable("\(path).system names no site you work at", at: "\(path).system", code: .value)
            }
            let value = try FHIRPatientSupport.string(identifier["value"], at: "\(path).value") ?? ""
            mrn = (site, value, "\(path).value")
        }
        guard let mrn else {
            throw FHIRError.unprocessable(
                "an MRN is required: an identifier with system urn:restora:site:<site code>:mrn and the value", at: "Patient.identifier", code: .required)
        }
        if let organization = resource["managingOrganization"],
           let code = try FHIRPatientSupport.string(organization["identifier"]?["value"], at: "Patient.managingOrganization.identifier.value"),
           organization["identifier"]?["system"]?.stringValue == FHIRPatientSupport.siteSystem, code != mrn.site.code {
            throw FHIRError.unprocessable(
                "managingOrganization names site \(code) but the MRN is of site \(mrn.site.code)", at: "Patient.managingOrganization", code: .value)
        }

        var givenName: String?, familyName: String?
        let names = try FHIRPatientSupport.array(resource["name"], at: "Patient.name")
        let chosen = names.firstIndex { $0["use"]?.stringValue == "official" } ?? (names.isEmpty ? nil : 0)
        if let index = chosen {
            let path = "Patient.name[\(index)]"
            let name = names[index]
            guard case .object = name else { throw FHIRPatientSupport.structure("\(path) must be a HumanName", at: path) }
            familyName = try FHIRPatientSupport.string(name["family"], at: "\(path).family")
            let given = try FHIRPatientSupport.array(name["given"], at: "\(path).given").enumerated().map { i, part in
                try FHIRPatientSupport.string(part, at: "\(path).given[\(i)]") ?? ""
            }
            givenName = given.isEmpty ? nil : given.joined(separator: " ")
        }

        guard let genderText = try FHIRPatientSupport.string(resource["gender"], at: "Patient.gender") else {
            throw FHIRError.unprocessable("gender is required (male, female, other or unknown): the clinical rules depend on it",
                                          at: "Patient.gender", code: .required)
        }
        guard let sex = Sex(rawValue: genderText) else {
            throw FHIRError.unprocessable("\(genderText) is not an administrative gender (male, female, other, unknown)",
                                          at: "Patient.gender", code: .codeInvalid)
        }
        guard let birthText = try FHIRPatientSupport.string(resource["birthDate"], at: "Patient.birthDate") else {
            throw FHIRError.unprocessable("birthDate is required", at: "Patient.birthDate", code: .required)
        }
        guard let birthDate = CalendarDate(birthText), birthText.count == 10 else {
            throw FHIRError.unprocessable("birthDate must be a full date YYYY-MM-DD (the clinical rules use the age in days)",
                                          at: "Patient.birthDate", code: .value)
        }
        return Fields(site: mrn.site, mrn: mrn.value, mrnPath: mrn.path, givenName: givenName, familyName: familyName, sex: sex, birthDate: birthDate)
    }

    /// The JSON API's site check (the site exists and is one of the user's).
    static func checkSite(_ fields: Fields, in context: FHIRInteractionContext) async throws -> Site {
        do {
            return try await RecordReferences(repositories: context.repositories).site(fields.site.id, for: context.user, field: "Patient.managingOrganization")
        } catch let DomainError.invalidValue(field, message) {
            throw FHIRError.unprocessable(message, at: field, code: .value)
        }
    }

    /// The participant through the JSON API's checks (`ParticipantInput`). What FHIR Patient does not carry
    /// (postmenopausal status, diagnoses, history) is kept from the stored participant on update.
    static func participant(_ fields: Fields, id: Identifier<Participant>, keeping current: Participant?, today: CalendarDate) throws -> Participant {
        let input = ParticipantInput(
            siteID: fields.site.id, mrn: fields.mrn, givenName: fields.givenName, familyName: fields.familyName, sex: fields.sex,
            birthDate: fields.birthDate, postmenopausal: current?.postmenopausal, diagnoses: current?.diagnoses, history: current?.history)
        do {
            return try input.participant(id: id, today: today)
        } catch let DomainError.invalidValue(field, message) {
            let path = switch field {
            case "mrn": fields.mrnPath
            case "birthDate": "Patient.birthDate"
            case "siteID": "Patient.identifier"
            default: "Patient"
            }
            throw FHIRError.unprocessable(message, at: path, code: .value)
        }
    }

    /// Repository refusals that name a Patient element: a taken MRN is 409 at `Patient.identifier`.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch RepositoryError.duplicate {
            throw FHIRError(status: 409, code: .duplicate, diagnostics: "a Patient with this MRN at this site already exists",
                            expression: ["Patient.identifier"])
        } catch RepositoryError.reasonRequired {
            throw FHIRError.unprocessable(
                "a reason for change is required to edit a recorded Patient: send it in the extension \(FHIRCodeSystems.changeReasonExtension) (valueString)",
                at: "Patient.extension", code: .required)
        }
    }
}
