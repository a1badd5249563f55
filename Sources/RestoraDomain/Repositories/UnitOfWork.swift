/// One clinical action, one transaction: the repository calls a domain service makes for one action (an
/// observation and the alerts it raises; an injection and the lot it marks administered) commit together,
/// with every audit entry, or not at all. The body gets repositories bound to the open transaction; a
/// repository call inside it that fails is rolled back to just before that call (a savepoint), so a service
/// may catch a refusal and go on, and any error that leaves the body rolls back everything.
public protocol UnitOfWork: Sendable {
    func run<R: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> R) async throws -> R
}

extension Repositories {
    /// Runs `body` as one transaction over repositories bound to it (see `UnitOfWork`).
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> R) async throws -> R {
        try await unitOfWork.run(body)
    }
}
