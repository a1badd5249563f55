import Foundation
import Logging
import RestoraDomain

/// The password a signed-in investigator re-enters to sign (21 CFR 11.200(a)(1)) counts against the same
/// per-account and per-client limits as sign-in (`SignInThrottle`, README "Sign-in throttling"): a session left
/// open cannot be used to guess its owner's password faster than the sign-in page allows, and a lock-out earned
/// on either door holds on both (21 CFR 11.300(d): attempts at unauthorised use are detected and acted on).
/// The signing service itself still records each failed attempt as a security event.
extension SignInGuard {
    enum Reauthenticated<Result: Sendable>: Sendable {
        case done(Result)
        /// Too many failures: nothing was checked or signed; try again in `retryAfter` seconds.
        case lockedOut(retryAfter: Int)
    }

    /// Runs `sign` (which re-checks the password) once the throttle admits the signer; a wrong user name or
    /// password (`DomainError.invalidValue` on `password` or `username`) counts as a failed attempt when a
    /// password was given (an empty one is refused before any check: it guesses nothing).
    func reauthenticating<Result: Sendable>(
        _ signer: UserAccount, passwordGiven: Bool, client: String, requestID: String, _ sign: () async throws -> Result
    ) async throws -> Reauthenticated<Result> {
        let keys = SignInThrottle.keys(username: signer.username, client: client)
        let metadata: Logger.Metadata = [
            "account": "\(Self.accountLabel(signer.username))", "client": "\(client)", "request.id": "\(requestID)"]
        if case let .lockedOut(retryAfter) = await throttle.admit(keys) {
            logger.notice("signing refused: locked out", metadata: metadata.merging(["retry_after": "\(retryAfter)"]) { $1 })
            return .lockedOut(retryAfter: retryAfter)
        }
        do {
            let result = try await sign()
            await throttle.finish(keys, failed: false)
            return .done(result)
        } catch let error as DomainError {
            guard passwordGiven, case let .invalidValue(field, _) = error, field == "password" || field == "username" else {
                await throttle.finish(keys, failed: nil)
                throw error
            }
            for lockout in await throttle.finish(keys, failed: true) {
                await record(lockout, username: signer.username, client: client, requestID: requestID, metadata: metadata)
            }
            throw error
        } catch {
            await throttle.finish(keys, failed: nil)
            throw error
        }
    }
}
