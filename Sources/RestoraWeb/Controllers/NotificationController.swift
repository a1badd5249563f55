import Foundation
import Hummingbird
import RestoraDomain

/// The signed-in user's notifications (`GET /api/v1/notifications`, newest first, each read or unread),
/// marking one read, and their e-mail settings. Every user has an inbox; a user only ever sees their own.
struct NotificationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    /// One notification as the API shows it: identifiers, never a name, an MRN or a value.
    struct Item: Encodable {
        var id: String
        var kind: NotificationKind
        var title: String
        var siteCode: String
        var participantID: String
        var link: String
        var onDate: CalendarDate?
        var createdAt: Date
        var read: Bool
        var email: EmailStatus
    }

    struct PreferencesBody: Codable {
        var emailAddress: String?
        var delivery: [String: EmailDelivery]?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.notifications, use: list)
        group.on(.readNotification, use: read)
        group.on(.notificationPreferences, use: preferences)
        group.on(.setNotificationPreferences, use: setPreferences)
    }

    static func item(_ n: UserNotification) -> Item {
        Item(id: n.id, kind: n.kind, title: n.kind.label, siteCode: n.siteCode, participantID: n.participantID.rawValue,
             link: n.linkPath, onDate: n.onDate, createdAt: n.createdAt, read: n.readAt != nil, email: n.emailStatus)
    }

    /// Newest first, `limit` (1–500, default 100) at most; `read` tells which are unread.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 100
        guard (1...500).contains(limit) else { throw DomainError.invalidValue(field: "limit", message: "limit must be 1–500") }
        let items = try await repositories.notifications.inbox(user: user.id, limit: limit)
        return try JSONResponse.make(items.map(Self.item))
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        // Another user's notification is not found, exactly like one that does not exist.
        guard try await repositories.notifications.inbox(user: user.id, limit: 1000).contains(where: { $0.id == id }) else {
            throw RepositoryError.notFound(kind: "notification", id: id)
        }
        try await repositories.notifications.markRead(user: user.id, id: id, at: dependencies.clock.now())
        return Response(status: .noContent)
    }

    @Sendable func preferences(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try JSONResponse.make(Self.body(try await repositories.notifications.preferences(user: user.id)))
    }

    /// Replaces the user's settings; a kind left out gets its default. 422 naming the field for a bad address
    /// or an unknown kind; nothing is written then.
    @Sendable func setPreferences(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let body = try await request.decodeJSON(PreferencesBody.self, limit: config.maxBodyBytes)
        var preferences = NotificationPreferences(emailAddress: try NotificationPreferences.checkedAddress(body.emailAddress))
        for (name, delivery) in body.delivery ?? [:] {
            guard let kind = NotificationKind(rawValue: name) else {
                throw DomainError.invalidValue(field: "delivery.\(name)", message: "unknown notification kind; kinds: "
                    + NotificationKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            preferences.delivery[kind] = delivery
        }
        try await repositories.notifications.savePreferences(preferences, user: user.id, at: dependencies.clock.now())
        return try JSONResponse.make(Self.body(try await repositories.notifications.preferences(user: user.id)))
    }

    static func body(_ preferences: NotificationPreferences) -> PreferencesBody {
        PreferencesBody(emailAddress: preferences.emailAddress, delivery: Dictionary(uniqueKeysWithValues: NotificationKind.allCases.map {
            ($0.rawValue, preferences.delivery(for: $0))
        }))
    }
}
