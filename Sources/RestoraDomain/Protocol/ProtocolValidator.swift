import Foundation

/// A semantic problem of a decoded protocol: the YAML was well-formed but says something that cannot
/// be run (a duplicate id, a negative window, a criterion with nothing to match).
public struct ProtocolIssue: Hashable, Sendable {
    public var path: DocumentPath
    public var message: String

    public init(_ path: DocumentPath, _ message: String) {
        self.path = path
        self.message = message
    }
}

/// Semantic checks that decoding cannot make. Pure; returns every issue found, in file order.
public enum ProtocolValidator {
    public static func issues(in definition: ProtocolDefinition) -> [ProtocolIssue] {
        var issues: [ProtocolIssue] = []
        checkIdentity(definition, &issues)
        checkArmsAndInterventions(definition, &issues)
        checkCriteria(definition.inclusion, at: ["inclusion"], &issues)
        checkCriteria(definition.exclusion, at: ["exclusion"], &issues)
        if definition.inclusion.isEmpty { issues.append(.init(["inclusion"], "at least one inclusion criterion is required")) }
        let allIDs = definition.inclusion.map(\.id) + definition.exclusion.map(\.id)
        for id in duplicates(allIDs) {
            issues.append(.init(["exclusion"], "criterion id '\(id)' is used more than once (ids are unique across inclusion and exclusion)"))
        }
        checkAssessments(definition, &issues)
        checkSchedule(definition, &issues)
        checkEndpoints(definition, &issues)
        checkSafetyAndRelease(definition, &issues)
        checkNotes(definition, &issues)
        issues += definition.randomisation?.problems(protocolArms: definition.arms.map(\.id)) ?? []
        return issues
    }

    static func duplicates(_ ids: [String]) -> [String] {
        var seen = Set<String>(), repeated: [String] = []
        for id in ids where !seen.insert(id).inserted && !repeated.contains(id) { repeated.append(id) }
        return repeated
    }

    static func isBlank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespaces).isEmpty }

    static func checkCoding(_ coding: Coding, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        if isBlank(coding.code) { issues.append(.init(path.key("code"), "a code must not be empty")) }
    }

    static func checkUnique(_ ids: [String], what: String, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        for (index, id) in ids.enumerated() where isBlank(id) {
            issues.append(.init(path.index(index).key("id"), "\(what) id must not be empty"))
        }
        for id in duplicates(ids) { issues.append(.init(path, "\(what) id '\(id)' is used more than once")) }
    }

    private static func checkIdentity(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if d.id.isEmpty || !d.id.allSatisfy(allowed.contains) {
            issues.append(.init(["id"], "id must be lower-case letters, digits and hyphens, got '\(d.id)'"))
        }
        if isBlank(d.version) { issues.append(.init(["version"], "version must not be empty")) }
        if isBlank(d.title) { issues.append(.init(["title"], "title must not be empty")) }
    }

    private static func checkAssessments(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        checkUnique(d.assessments.map(\.id), what: "assessment", at: ["assessments"], &issues)
        for (i, assessment) in d.assessments.enumerated() {
            let path = DocumentPath(["assessments"]).index(i)
            if assessment.codes.isEmpty { issues.append(.init(path.key("codes"), "an assessment needs at least one code")) }
            for (j, code) in assessment.codes.enumerated() { checkCoding(code, at: path.key("codes").index(j), &issues) }
        }
    }

    private static func checkEndpoints(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        if d.endpoints.primary.isEmpty {
            issues.append(.init(["endpoints", "primary"], "at least one primary endpoint is required"))
        }
        let all = d.endpoints.primary.map(\.id) + d.endpoints.secondary.map(\.id)
        for id in duplicates(all) { issues.append(.init(["endpoints"], "endpoint id '\(id)' is used more than once")) }
        for (section, list) in [("primary", d.endpoints.primary), ("secondary", d.endpoints.secondary)] {
            for (i, endpoint) in list.enumerated() {
                let path = DocumentPath(["endpoints", .key(section)]).index(i)
                if isBlank(endpoint.title) { issues.append(.init(path.key("title"), "an endpoint needs a title")) }
                for (j, code) in (endpoint.measures ?? []).enumerated() {
                    checkCoding(code, at: path.key("measures").index(j), &issues)
                }
            }
        }
    }

    private static func checkNotes(_ d: ProtocolDefinition, _ issues: inout [ProtocolIssue]) {
        checkUnique(d.counselling.map(\.id), what: "counselling item", at: ["counselling"], &issues)
        for (i, item) in d.counselling.enumerated() where isBlank(item.text) {
            issues.append(.init(DocumentPath(["counselling"]).index(i).key("text"), "a counselling item needs its text"))
        }
        for (i, note) in d.defaults.enumerated() where isBlank(note.item) || isBlank(note.reason) {
            issues.append(.init(DocumentPath(["defaults"]).index(i), "a default needs the item it sets and the reason"))
        }
        issues += ReferenceSafetyItem.problems(d.referenceSafetyInformation, terms: .standard)
    }
}
