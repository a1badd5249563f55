import Foundation

/// Amendments (issue #14 item 7, docs/amendments.md): which protocol version a program and an enrolment run
/// under, and the two explicit moves — a program to a new version (new enrolments then take it) and an
/// enrolment to its program's version (a re-consent to the amendment). Both audited with their reason.
/// Existing enrolments never move with their program.
public struct ProtocolVersioning: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog

    public init(repositories: Repositories, catalog: ProtocolCatalog) {
        self.repositories = repositories
        self.catalog = catalog
    }

    /// Moves the program to `version`, which must be loaded for its protocol. Enrolments keep their version.
    public func setProgramVersion(
        _ id: Identifier<Program>, to version: String, context: AuditContext
    ) async throws -> Versioned<Program> {
        guard let reason = context.reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "moving a program to another protocol version needs a reason")
        }
        let current = try await repositories.programs.get(id)
        let definition = try catalog.exactDefinition(id: current.value.protocolID, version: version)
        var program = current.value
        guard program.protocolVersion != definition.version else {
            throw DomainError.invalidValue(field: "version", message: "the program already runs \(program.protocolID) v\(version)")
        }
        program.protocolVersion = definition.version
        return try await repositories.programs.update(program, expectedVersion: current.version, context: context)
    }

    /// Moves the enrolment to its program's current version (the participant re-consented to the amendment).
    public func reconsent(_ id: Identifier<Enrolment>, context: AuditContext) async throws -> Versioned<Enrolment> {
        guard let reason = context.reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "moving an enrolment to another protocol version needs a reason (the re-consent)")
        }
        let enrolment = try await repositories.enrolments.get(id)
        let program = try await repositories.programs.get(enrolment.value.programID).value
        _ = try catalog.exactDefinition(id: program.protocolID, version: program.protocolVersion)
        guard enrolment.value.protocolVersion != program.protocolVersion else {
            throw DomainError.invalidValue(field: "version", message: "the enrolment already runs under v\(program.protocolVersion), the program's version")
        }
        return try await repositories.enrolments.setProtocolVersion(
            id, to: program.protocolVersion, expectedVersion: enrolment.version, context: context)
    }
}

extension ProtocolCatalog {
    /// The protocol version the enrolment runs under (its recorded version; the program's when not yet stored).
    public func definition(for enrolment: Enrolment, program: Program) throws(DomainError) -> ProtocolDefinition {
        try definition(id: program.protocolID, version: enrolment.protocolVersion ?? program.protocolVersion)
    }

    /// The protocol version the program runs (new enrolments take it).
    public func definition(for program: Program) throws(DomainError) -> ProtocolDefinition {
        try definition(id: program.protocolID, version: program.protocolVersion)
    }
}
