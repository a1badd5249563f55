import Crypto
import Foundation
import Logging
import RestoraDomain

/// The one way both the sign-in page and `POST /api/v1/sessions` check a password: throttled per account
/// and per client address (`SignInThrottle`), logged, and every lock-out appended to the audit trail as a
/// security event.
///
/// What is written down: logs name the account only by a short hash of the lower-cased username (a person
/// sometimes types their password into the username field, and logs are kept and shipped further than the
/// database); the audit trail names an existing account by its user id, an unknown username by the same
/// hash. The client address is logged and audited as it is. Passwords are never written anywhere.
struct SignInGuard: Sendable {
    enum Outcome: Sendable {
        case signedIn(UserAccount)
        /// Unknown user, wrong password or inactive account alike.
        case refused
        /// Too many failures: refused without checking the password.
        case lockedOut(retryAfter: Int)
    }

    let users: any UserRepository
    let throttle: SignInThrottle
    let logger: Logger

    init(config: WebConfiguration, dependencies: WebDependencies) {
        self.users = dependencies.repositories.users
        self.throttle = SignInThrottle(policy: config.signInThrottle, clock: dependencies.clock)
        self.logger = dependencies.logger
    }

    static let anonymous = Actor(userID: "anonymous")

    func attempt(username: String, password: String, client: String, requestID: String) async throws -> Outcome {
        let keys = SignInThrottle.keys(username: username, client: client)
        let metadata: Logger.Metadata = [
            "account": "\(Self.accountLabel(username))", "client": "\(client)", "request.id": "\(requestID)"]
        if case let .lockedOut(retryAfter) = await throttle.admit(keys) {
            logger.notice("sign-in refused: locked out", metadata: metadata.merging(["retry_after": "\(retryAfter)"]) { $1 })
            return .lockedOut(retryAfter: retryAfter)
        }
        let user: UserAccount?
        do {
            user = try await users.authenticate(username: username, password: password)
        } catch {
            await throttle.finish(keys, failed: nil)
            throw error
        }
        if let user {
            await throttle.finish(keys, failed: false)
            return .signedIn(user)
        }
        let lockouts = await throttle.finish(keys, failed: true)
        logger.notice("sign-in failed", metadata: metadata)
        for lockout in lockouts {
            await record(lockout, username: username, client: client, requestID: requestID, metadata: metadata)
        }
        return .refused
    }

    func record(
        _ lockout: SignInThrottle.Lockout, username: String, client: String, requestID: String, metadata: Logger.Metadata
    ) async {
        let subject: String
        switch lockout.key {
        case .account:
            let known = try? await users.get(username: username).value.id.rawValue
            subject = "account:" + (known ?? Self.accountLabel(username))
        case .client:
            subject = "client:\(client)"
        }
        logger.warning("sign-in locked out", metadata: metadata.merging([
            "subject": "\(lockout.key.kind)", "failures": "\(lockout.failures)", "lockout_seconds": "\(lockout.seconds)"]) { $1 })
        let event = SecurityEvent(kind: "sign_in_lockout", subject: subject, details: [
            "client": client, "failures": String(lockout.failures), "lockout_seconds": String(lockout.seconds),
            "window_seconds": String(throttle.policy.windowSeconds)])
        do {
            try await users.recordSecurityEvent(event, context: AuditContext(actor: Self.anonymous, requestID: requestID))
        } catch {
            // The refusal stands either way; a trail that cannot be written is the operator's alarm.
            logger.error("security event not audited", metadata: metadata.merging(["error.type": "\(type(of: error))"]) { $1 })
        }
    }

    /// `#` and the first 12 hex digits of SHA-256 of the lower-cased username: stable enough to follow one
    /// account through the log, useless for reading what was typed.
    static func accountLabel(_ username: String) -> String {
        "#" + SHA256.hash(data: Data(username.lowercased().utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}

extension SignInThrottle.Key {
    var kind: String {
        switch self {
        case .account: return "account"
        case .client: return "client"
        }
    }
}
