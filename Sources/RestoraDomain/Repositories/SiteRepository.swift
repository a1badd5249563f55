/// Sites (clinics). `code` is unique.
public protocol SiteRepository: Sendable {
    func create(_ site: Site, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Site>
    func get(_ id: Identifier<Site>) async throws -> Versioned<Site>
    func list() async throws -> [Versioned<Site>]
    func update(_ site: Site, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Site>
}

/// Programs (a protocol run at some sites).
public protocol ProgramRepository: Sendable {
    func create(_ program: Program, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Program>
    func get(_ id: Identifier<Program>) async throws -> Versioned<Program>
    func list() async throws -> [Versioned<Program>]
    func update(_ program: Program, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Program>
}
