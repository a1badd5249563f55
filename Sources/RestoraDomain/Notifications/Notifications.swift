import Foundation

/// The one way a service tells people something: `Notifications.enqueue(tx, event)` inside the action's own
/// transaction, so the outbox rows commit with the action — or vanish with it when it rolls back, and then
/// nothing is ever sent (docs/notifications.md).
public enum Notifications {
    /// Hour of day (UTC) after which the daily digest of the day is sent. A configurable default (U).
    public static let digestHourUTC = 7

    /// The event of a data query raised or answered, whichever door raised it (a user through the API, or the
    /// adverse-event consistency check): one event key per query and kind.
    public static func queryEvent(_ kind: NotificationKind, _ query: DataQuery) -> NotificationEvent {
        NotificationEvent(kind: kind, participantID: query.participantID, linkPath: participantPath(query.participantID),
                          eventKey: "\(kind.rawValue):\(query.id.rawValue)")
    }

    /// Writes one outbox row per recipient of `event` (users of the participant's site with the kind's roles).
    /// Idempotent per (event key, user). Returns how many rows were new. `roles` replaces the kind's roles (an
    /// emergency unblinding goes to the protocol's unblinded contacts).
    @discardableResult
    public static func enqueue(
        _ tx: Repositories, _ event: NotificationEvent, now: Date, ids: any IDGenerator, roles: [UserRole]? = nil
    ) async throws -> Int {
        let participant = try await tx.participants.get(event.participantID).value
        let site = try await tx.sites.get(participant.siteID).value
        let recipients = try await tx.notifications.recipients(site: site.id, roles: roles ?? event.kind.recipientRoles, kind: event.kind)
        let rows = recipients.map { recipient in
            let id = ids.next()
            let emails = recipient.delivery != .off && recipient.emailAddress != nil
            return UserNotification(
                id: id, userID: recipient.userID, siteID: site.id, siteCode: site.code, participantID: participant.id,
                kind: event.kind, linkPath: event.linkPath, eventKey: event.eventKey, onDate: event.onDate, createdAt: now,
                delivery: recipient.delivery, emailStatus: emails ? .pending : .off,
                emailAddress: emails ? recipient.emailAddress : nil,
                nextAttemptAt: emails ? (recipient.delivery == .digest ? nextDigest(after: now) : now) : nil,
                messageID: "<\(id)@restora.notifications>")
        }
        guard !rows.isEmpty else { return 0 }
        return try await tx.notifications.insert(rows)
    }

    /// The next digest time strictly after `now`: today's digest hour (UTC) if still ahead, else tomorrow's.
    public static func nextDigest(after now: Date) -> Date {
        let day = CalendarDate(now)
        let today = day.startOfDayUTC.addingTimeInterval(TimeInterval(digestHourUTC * 3600))
        return today > now ? today : day.adding(days: 1).startOfDayUTC.addingTimeInterval(TimeInterval(digestHourUTC * 3600))
    }

    /// The link path of a participant's page.
    public static func participantPath(_ id: Identifier<Participant>) -> String { "/participants/\(id.rawValue)" }
}

/// What an e-mail says: the kind, the site, the participant's study identifier and a link — never a name, an
/// MRN or a clinical value (minimum necessary, HIPAA 45 CFR 164.502(b)); the reader opens the record to see more.
public struct NotificationMessage: Hashable, Sendable {
    public var to: String
    public var subject: String
    public var body: String
    public var messageID: String

    public init(to: String, subject: String, body: String, messageID: String) {
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
    }

    /// One line per notification: what, where, who (study identifier), when, link.
    public static func line(_ n: UserNotification, baseURL: String) -> String {
        var text = "\(n.kind.label) - site \(n.siteCode), participant \(n.participantID.rawValue)"
        if let date = n.onDate { text += ", \(n.kind == .reportDueSoon || n.kind == .reportOverdue ? "due" : "on") \(date)" }
        return text + "\n  " + link(n, baseURL: baseURL)
    }

    public static func link(_ n: UserNotification, baseURL: String) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base + n.linkPath
    }

    /// The e-mail for one notification sent at once, or for a user's digest (several, one e-mail).
    public static func make(_ items: [UserNotification], baseURL: String) -> NotificationMessage? {
        guard let first = items.first, let to = first.emailAddress else { return nil }
        let footer = "\n\nSign in to Restora to read the record. You receive this because of your role at the site; "
            + "change what you receive under Notifications > E-mail settings.\n"
        if items.count == 1 && first.delivery == .immediate {
            return NotificationMessage(
                to: to, subject: "[Restora] \(first.kind.label) - site \(first.siteCode), participant \(first.participantID.rawValue)",
                body: line(first, baseURL: baseURL) + footer, messageID: first.messageID)
        }
        let body = "Your Restora notifications of the day (\(items.count)):\n\n"
            + items.map { "- " + line($0, baseURL: baseURL) }.joined(separator: "\n") + footer
        // The digest's Message-ID is its first row's: the same rows claimed again give the same id.
        return NotificationMessage(to: to, subject: "[Restora] Daily digest: \(items.count) notification\(items.count == 1 ? "" : "s")",
                                   body: body, messageID: first.messageID)
    }
}
