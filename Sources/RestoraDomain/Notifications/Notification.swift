import Foundation

/// What a notification is about (issue #15 item 6, docs/notifications.md). Each kind has the roles it goes to
/// at the record's site and the e-mail delivery a user gets until they choose otherwise.
public enum NotificationKind: String, Hashable, Sendable, Codable, CaseIterable {
    case safetyAlert = "safety-alert"
    case reportDueSoon = "report-due-soon"
    case reportOverdue = "report-overdue"
    case visitDueTomorrow = "visit-due-tomorrow"
    case visitOverdue = "visit-overdue"
    case queryRaised = "query-raised"
    case queryAnswered = "query-answered"
    /// A blinded participant's arm was shown in an emergency (issue #16, migration 0042; docs/randomisation.md).
    case emergencyUnblinding = "emergency-unblinding"

    /// The kind in words (pages, e-mail subjects).
    public var label: String {
        switch self {
        case .safetyAlert: "New safety alert"
        case .reportDueSoon: "Safety report due in 2 days"
        case .reportOverdue: "Safety report overdue"
        case .visitDueTomorrow: "Visit due tomorrow"
        case .visitOverdue: "Visit overdue"
        case .queryRaised: "Data query raised"
        case .queryAnswered: "Data query answered"
        case .emergencyUnblinding: "Emergency unblinding"
        }
    }

    /// Who is told, among the users of the record's site: investigators judge safety events and own the
    /// reporting clock (21 CFR 312.64(b): the investigator reports to the sponsor); coordinators run the visit
    /// calendar and answer data queries; the monitors and data managers who raise queries are told when one is answered.
    /// Admins are not told (they see every site; no site "is theirs").
    public var recipientRoles: [UserRole] {
        switch self {
        case .safetyAlert, .reportDueSoon, .reportOverdue: [.investigator]
        case .visitDueTomorrow, .visitOverdue: [.coordinator]
        case .queryRaised: [.coordinator, .investigator]
        case .queryAnswered: [.monitor, .dataManager]
        // The protocol's `blinding.unblindedContacts` override this (RandomiseUnblinding: `enqueue(…, roles:)`).
        case .emergencyUnblinding: [.investigator]
        }
    }

    /// E-mail delivery until the user chooses: at once for what has a deadline or is a safety signal, in the
    /// daily digest for the work-list kinds.
    public var defaultDelivery: EmailDelivery {
        switch self {
        case .safetyAlert, .reportDueSoon, .reportOverdue, .emergencyUnblinding: .immediate
        case .visitDueTomorrow, .visitOverdue, .queryRaised, .queryAnswered: .digest
        }
    }
}

/// How a user gets a kind of notification by e-mail. The in-app inbox always gets it.
public enum EmailDelivery: String, Hashable, Sendable, Codable, CaseIterable {
    case off, immediate, digest

    public var label: String {
        switch self {
        case .off: "No e-mail (inbox only)"
        case .immediate: "E-mail at once"
        case .digest: "Daily digest e-mail"
        }
    }
}

/// Something that happened and may be worth telling people: which record, at which site, for which participant.
/// Carries identifiers only — never a name, an MRN or a clinical value (minimum necessary, docs/notifications.md).
public struct NotificationEvent: Hashable, Sendable {
    public var kind: NotificationKind
    public var participantID: Identifier<Participant>
    /// The page the message links to, relative to the server's public URL (e.g. `/participants/<id>`).
    public var linkPath: String
    /// Makes enqueueing idempotent: one notification per (event key, recipient). Time-driven events put the
    /// record and the day in it ("visit-overdue:<enrolment>:<visit>").
    public var eventKey: String
    /// A date the message may state (a report's due date, a visit's date): a date, never a value.
    public var onDate: CalendarDate?

    public init(kind: NotificationKind, participantID: Identifier<Participant>, linkPath: String, eventKey: String, onDate: CalendarDate? = nil) {
        self.kind = kind
        self.participantID = participantID
        self.linkPath = linkPath
        self.eventKey = eventKey
        self.onDate = onDate
    }
}

/// The state of a notification's e-mail.
public enum EmailStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Waiting for the delivery worker (at once, or at the next digest).
    case pending
    case sent
    /// Given up after the last retry, or refused for good (5xx).
    case failed
    /// No e-mail: the user's preference, no address, or e-mail delivery off on the server.
    case off
}

/// One notification for one user: a row of the outbox that is also the user's inbox entry.
public struct UserNotification: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var userID: Identifier<UserAccount>
    public var siteID: Identifier<Site>
    /// The site's code as it was when the notification was made (shown in the message).
    public var siteCode: String
    public var participantID: Identifier<Participant>
    public var kind: NotificationKind
    public var linkPath: String
    public var eventKey: String
    public var onDate: CalendarDate?
    public var createdAt: Date
    public var readAt: Date?
    public var delivery: EmailDelivery
    public var emailStatus: EmailStatus
    /// The address the e-mail goes to (the user's at enqueue time); nil when no e-mail is sent.
    public var emailAddress: String?
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var sentAt: Date?
    /// The e-mail's Message-ID, fixed at enqueue time, so a receiver can drop the one duplicate a crash between
    /// sending and marking can cause (docs/notifications.md).
    public var messageID: String

    public init(
        id: String, userID: Identifier<UserAccount>, siteID: Identifier<Site>, siteCode: String, participantID: Identifier<Participant>,
        kind: NotificationKind, linkPath: String, eventKey: String, onDate: CalendarDate?, createdAt: Date, readAt: Date? = nil,
        delivery: EmailDelivery, emailStatus: EmailStatus, emailAddress: String?, attempts: Int = 0, nextAttemptAt: Date?,
        sentAt: Date? = nil, messageID: String
    ) {
        self.id = id
        self.userID = userID
        self.siteID = siteID
        self.siteCode = siteCode
        self.participantID = participantID
        self.kind = kind
        self.linkPath = linkPath
        self.eventKey = eventKey
        self.onDate = onDate
        self.createdAt = createdAt
        self.readAt = readAt
        self.delivery = delivery
        self.emailStatus = emailStatus
        self.emailAddress = emailAddress
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.messageID = messageID
    }
}

/// A user's notification settings: the address e-mail goes to and, per kind, how (defaults: `NotificationKind.defaultDelivery`).
public struct NotificationPreferences: Hashable, Sendable, Codable {
    public var emailAddress: String?
    public var delivery: [NotificationKind: EmailDelivery]

    public init(emailAddress: String? = nil, delivery: [NotificationKind: EmailDelivery] = [:]) {
        self.emailAddress = emailAddress
        self.delivery = delivery
    }

    public func delivery(for kind: NotificationKind) -> EmailDelivery { delivery[kind] ?? kind.defaultDelivery }

    /// The address trimmed, or a refusal naming `emailAddress`; nil for an empty one (no e-mail).
    public static func checkedAddress(_ text: String?) throws -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              trimmed.count <= 254, !trimmed.contains(where: { $0.isWhitespace || "<>\r\n,;\"".contains($0) }) else {
            throw DomainError.invalidValue(field: "emailAddress", message: "not an e-mail address (name@example.org)")
        }
        return trimmed
    }
}

/// A user who is told about an event: their id, address and the delivery they chose for that kind.
public struct NotificationRecipient: Hashable, Sendable {
    public var userID: Identifier<UserAccount>
    public var emailAddress: String?
    public var delivery: EmailDelivery

    public init(userID: Identifier<UserAccount>, emailAddress: String?, delivery: EmailDelivery) {
        self.userID = userID
        self.emailAddress = emailAddress
        self.delivery = delivery
    }
}

/// The outbox and inbox (migration 0040). Writes made through repositories bound to a transaction commit or
/// roll back with it.
public protocol NotificationRepository: Sendable {
    /// Active users of `site` with one of `roles`, with their address and their delivery for `kind`.
    func recipients(site: Identifier<Site>, roles: [UserRole], kind: NotificationKind) async throws -> [NotificationRecipient]
    /// Stores the rows; a row whose (event key, user) is already stored is skipped. Returns how many were new.
    @discardableResult func insert(_ notifications: [UserNotification]) async throws -> Int
    func inbox(user: Identifier<UserAccount>, limit: Int) async throws -> [UserNotification]
    func unreadCount(user: Identifier<UserAccount>) async throws -> Int
    /// Marks the user's notification read (nil: all of them). Another user's id changes nothing.
    func markRead(user: Identifier<UserAccount>, id: String?, at: Date) async throws
    func preferences(user: Identifier<UserAccount>) async throws -> NotificationPreferences
    func savePreferences(_ preferences: NotificationPreferences, user: Identifier<UserAccount>, at: Date) async throws
    /// Claims up to `limit` pending e-mails due at `now` that no live claim holds, until `claimUntil`
    /// (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the one writer), counting the attempt.
    func claimDue(now: Date, claimUntil: Date, limit: Int) async throws -> [UserNotification]
    func markSent(ids: [String], at: Date) async throws
    /// A failed attempt: retried at `retryAt`, or given up (`failed`) when nil.
    func markFailed(ids: [String], retryAt: Date?, error: String) async throws
    /// E-mails pending at `now` marked `off` (the server has no SMTP host): the inbox keeps them.
    @discardableResult func markEmailOff(dueBefore now: Date) async throws -> Int
    /// How many rows have this event key (the scheduler's and the tests' check).
    func count(eventKey: String) async throws -> Int
}
