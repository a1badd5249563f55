import Crypto
import Foundation
import RestoraDomain

/// How many wrong passwords are tolerated, and how long a lock-out lasts (README "Sign-in throttling").
public struct SignInThrottlePolicy: Sendable, Equatable {
    /// Failures of one account (username, whatever the client) within `window` before it is locked out.
    public var maxFailuresPerAccount: Int
    /// Failures from one client address (whatever the usernames) within `window` before it is locked out.
    /// Higher than the account limit: a clinic behind one NAT address shares it.
    public var maxFailuresPerClient: Int
    /// Seconds over which failures are counted; a key with no failure for this long starts afresh.
    public var windowSeconds: Int
    /// The first lock-out; each further failure while the count is at the limit doubles it, up to `maxLockoutSeconds`.
    public var lockoutSeconds: Int
    public var maxLockoutSeconds: Int

    public init(maxFailuresPerAccount: Int = 5, maxFailuresPerClient: Int = 20, windowSeconds: Int = 900,
                lockoutSeconds: Int = 60, maxLockoutSeconds: Int = 3600) {
        self.maxFailuresPerAccount = max(1, maxFailuresPerAccount)
        self.maxFailuresPerClient = max(1, maxFailuresPerClient)
        self.windowSeconds = max(1, windowSeconds)
        self.lockoutSeconds = max(1, lockoutSeconds)
        self.maxLockoutSeconds = max(self.lockoutSeconds, maxLockoutSeconds)
    }
}

/// Counts failed sign-ins per account and per client address and locks a key out once it reaches its
/// limit. In memory on purpose: a restart forgets the counts (an attacker gains at most one more round of
/// `maxFailures` guesses per restart, and restarts are rare and logged), while the server needs no shared
/// store and a database outage cannot lock everyone out. Time comes from the injected clock.
///
/// Attempts are admitted before the password is checked and counted while in flight, so that parallel
/// requests cannot run more password checks than the limit allows.
public actor SignInThrottle {
    public enum Key: Hashable, Sendable {
        /// SHA-256 (hex) of the lower-cased username: the same size whatever was typed, so a spray of
        /// megabyte-long usernames cannot fill memory.
        case account(String)
        /// A client address (`ClientAddress`).
        case client(String)
    }

    public enum Admission: Equatable, Sendable {
        case admitted
        /// Refused without checking the password; try again in `retryAfter` seconds.
        case lockedOut(retryAfter: Int)
    }

    /// A lock-out imposed by a failure: what the security log and audit trail record.
    public struct Lockout: Equatable, Sendable {
        public var key: Key
        public var failures: Int
        public var seconds: Int
    }

    private struct State {
        var failures: [Date] = []
        var inFlight = 0
        /// Lock-outs imposed since the key was last clean; the next one lasts `lockoutSeconds · 2^level`.
        var level = 0
        /// The end of the last lock-out (kept after it passed: the key is clean only a window later).
        var lockedUntil: Date?

        func locked(at now: Date) -> Bool { lockedUntil.map { $0 > now } ?? false }
        var isClean: Bool { failures.isEmpty && inFlight == 0 && level == 0 && lockedUntil == nil }
    }

    public let policy: SignInThrottlePolicy
    private let clock: any Clock
    private var states: [Key: State] = [:]
    /// Above this many tracked keys an admission first drops the clean ones (bounded memory under a spray);
    /// the next sweep waits until the table has doubled, so a sweep costs O(1) per admission on average.
    private var sweepAbove = 10_000

    public init(policy: SignInThrottlePolicy = SignInThrottlePolicy(), clock: any Clock) {
        self.policy = policy
        self.clock = clock
    }

    public static func keys(username: String, client: String) -> [Key] {
        let digest = SHA256.hash(data: Data(username.lowercased().utf8))
        return [.account(digest.map { String(format: "%02x", $0) }.joined()), .client(client)]
    }

    /// Whether an attempt on these keys may check its password now. An admitted attempt must be ended
    /// with `finish` (also when the check throws).
    public func admit(_ keys: [Key]) -> Admission {
        let now = clock.now()
        if states.count > sweepAbove {
            sweep(now)
            sweepAbove = max(10_000, states.count * 2)
        }
        var retryAfter = 0
        for key in keys {
            let state = prune(states[key] ?? State(), now)
            store(state, for: key)
            if state.locked(at: now), let until = state.lockedUntil {
                retryAfter = max(retryAfter, Int(until.timeIntervalSince(now).rounded(.up)))
            } else if state.inFlight > 0, state.level > 0 || state.failures.count + state.inFlight >= limit(key) {
                // Checks already running could reach the limit: wait for them rather than run one more.
                retryAfter = max(retryAfter, 1)
            }
        }
        if retryAfter > 0 { return .lockedOut(retryAfter: retryAfter) }
        for key in keys { states[key, default: State()].inFlight += 1 }
        return .admitted
    }

    /// Ends an admitted attempt. `failed`: the password was wrong (or the account unknown): at the limit,
    /// or after an earlier lock-out of the key, it locks the key (doubling each time). A success clears the
    /// account (the client's failures stay until they age out). nil: the check itself failed and counts as
    /// neither. Returns the lock-outs this failure imposed.
    @discardableResult
    public func finish(_ keys: [Key], failed: Bool?) -> [Lockout] {
        let now = clock.now()
        var imposed: [Lockout] = []
        for key in keys {
            var state = prune(states[key] ?? State(), now)
            state.inFlight = max(0, state.inFlight - 1)
            switch failed {
            case true?:
                state.failures.append(now)
                if state.level > 0 || state.failures.count >= limit(key) {
                    let factor = 1 << min(state.level, 20)
                    let seconds = min(policy.lockoutSeconds * factor, policy.maxLockoutSeconds)
                    state.level += 1
                    state.lockedUntil = now.addingTimeInterval(TimeInterval(seconds))
                    imposed.append(Lockout(key: key, failures: state.failures.count, seconds: seconds))
                }
            case false?:
                if case .account = key { state = State(inFlight: state.inFlight) }
            case nil:
                break
            }
            store(state, for: key)
        }
        return imposed
    }

    /// How many keys are tracked (tests of the memory bound).
    public var trackedKeys: Int { states.count }

    private func limit(_ key: Key) -> Int {
        switch key {
        case .account: return policy.maxFailuresPerAccount
        case .client: return policy.maxFailuresPerClient
        }
    }

    /// Drops failures older than the window; a key with no failure and no lock-out for a whole window is
    /// clean again (its next lock-out starts from `lockoutSeconds`).
    private func prune(_ state: State, _ now: Date) -> State {
        var state = state
        let start = now.addingTimeInterval(-TimeInterval(policy.windowSeconds))
        state.failures.removeAll { $0 <= start }
        if state.failures.isEmpty, (state.lockedUntil.map { $0 <= start } ?? true) {
            state.level = 0
            state.lockedUntil = nil
        }
        return state
    }

    private func store(_ state: State, for key: Key) {
        states[key] = state.isClean ? nil : state
    }

    private func sweep(_ now: Date) {
        for (key, state) in states { store(prune(state, now), for: key) }
    }
}
