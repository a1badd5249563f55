import Hummingbird
import RestoraDomain

/// Per-request state: the signed-in user (set by the bearer-token middleware) and the request id that
/// ties the response, the log line and the audit entry together.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: UserAccount?
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.user = nil
        self.requestID = ""
    }

    /// The signed-in user; the API group's middleware guarantees one, this is the belt to its braces.
    func requireUser() throws -> UserAccount {
        guard let user else { throw APIError.unauthorized }
        return user
    }

    func audit(_ user: UserAccount, reason: String? = nil) -> AuditContext {
        AuditContext(actor: user.actor, requestID: requestID, reason: reason)
    }
}
