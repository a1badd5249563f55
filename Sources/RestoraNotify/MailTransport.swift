import RestoraDomain

/// Sends one e-mail. The delivery worker's only view of SMTP, so tests can count and fail deliveries.
public protocol MailTransport: Sendable {
    func send(_ message: NotificationMessage, from: String) async throws
}

/// Why a delivery failed: `permanent` (an SMTP 5xx reply) is not retried; everything else is.
public struct MailDeliveryError: Error, Sendable, CustomStringConvertible {
    public var permanent: Bool
    /// The SMTP reply or connection error, never the message.
    public var reason: String

    public init(permanent: Bool, reason: String) {
        self.permanent = permanent
        self.reason = reason
    }

    public var description: String { reason }
}
