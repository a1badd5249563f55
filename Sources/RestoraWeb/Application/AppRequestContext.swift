import Hummingbird
import RestoraDomain

/// Per-request state: the signed-in user (set by the bearer-token middleware) and the request id that
/// ties the response, the log line and the audit entry together.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: UserAccount?
    public var requestID: String
    /// The anti-forgery token every HTML form of this request carries (`WebSession`).
    var csrfToken: String = ""
    /// Set when this request minted the pre-sign-in form cookie; the page response sends it.
    var newFormCookie: String?
    /// Shown on every page when the database holds synthetic demo data.
    var syntheticLabel: String?
    /// The signed-in user's unread notifications, for the navigation's count (`WebSessionMiddleware`).
    var unreadNotifications = 0
    /// The peer address of the connection (nil in router tests): the client, or the reverse proxy in front
    /// of the server (`ClientAddress`).
    var remoteIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.user = nil
        self.requestID = ""
        self.remoteIP = source.channel.remoteAddress?.ipAddress
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
