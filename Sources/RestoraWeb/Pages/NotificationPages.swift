import Foundation
import Hummingbird
import RestoraDomain

/// The in-app inbox (`GET /notifications`, `table#notifications`) and the e-mail settings
/// (`/notifications/settings`, `form#notification-settings-form`) of the signed-in user (issue #15 item 6).
/// Opening a notification (`POST /notifications/{id}/open`) marks it read and goes to the record.
struct NotificationPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.notificationInbox) { request, context in
            let user = try PageAccess.user(request, context)
            let items = try await repositories.notifications.inbox(user: user.id, limit: 200)
            return HTMLResponse.html(NotificationPages.inbox(context: context, items: items))
        }
        router.post(PageRoute.openNotification) { request, context in
            let (user, _) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            let id = try context.parameters.require("id")
            guard let item = try await repositories.notifications.inbox(user: user.id, limit: 1000).first(where: { $0.id == id }) else {
                throw RepositoryError.notFound(kind: "notification", id: id)
            }
            try await repositories.notifications.markRead(user: user.id, id: id, at: dependencies.clock.now())
            return HTMLResponse.redirect(WebPath.safeNext(item.linkPath))
        }
        router.post(PageRoute.readAllNotifications) { request, context in
            let (user, _) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            try await repositories.notifications.markRead(user: user.id, id: nil, at: dependencies.clock.now())
            return HTMLResponse.redirect(PageRoute.notificationInbox.path())
        }
        router.get(PageRoute.notificationSettings) { request, context in
            let user = try PageAccess.user(request, context)
            let preferences = try await repositories.notifications.preferences(user: user.id)
            return HTMLResponse.html(NotificationPages.settings(context: context, state: NotificationPages.state(preferences), saved: false))
        }
        router.post(PageRoute.notificationSettings) { request, context in
            let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            var preferences = NotificationPreferences()
            var errors: [String: String] = [:]
            do {
                preferences.emailAddress = try NotificationPreferences.checkedAddress(form["emailAddress"])
            } catch let DomainError.invalidValue(_, message) {
                errors["emailAddress"] = message
            }
            for kind in NotificationKind.allCases {
                guard let raw = form["delivery-\(kind.rawValue)"] else { continue }
                guard let delivery = EmailDelivery(rawValue: raw) else { errors["delivery-\(kind.rawValue)"] = "choose one of the options"; continue }
                preferences.delivery[kind] = delivery
            }
            guard errors.isEmpty else {
                return HTMLResponse.html(NotificationPages.settings(context: context, state: FormState(form: form, errors: errors), saved: false),
                                         status: .unprocessableContent)
            }
            try await repositories.notifications.savePreferences(preferences, user: user.id, at: dependencies.clock.now())
            return HTMLResponse.html(NotificationPages.settings(context: context, state: NotificationPages.state(preferences), saved: true))
        }
    }
}

enum NotificationPages {
    static func inbox(context: AppRequestContext, items: [UserNotification]) -> Node {
        Layout.page(title: "Notifications", context: context) {
            el("h1") { "Notifications" }
            el("p") {
                el("a", ["id": "notification-settings-link", "href": PageRoute.notificationSettings.path()]) { "E-mail settings" }
            }
            if items.isEmpty {
                Layout.empty("No notifications.")
            } else {
                if items.contains(where: { $0.readAt == nil }) {
                    el("form", ["id": "read-all-form", "method": "post", "action": PageRoute.readAllNotifications.path()]) {
                        Forms.csrf(context)
                        el("button", ["id": "read-all-button", "type": "submit", "class": "link-button"]) { "Mark all as read" }
                    }
                }
                el("table", ["id": "notifications"]) {
                    el("thead") {
                        el("tr") {
                            el("th", ["scope": "col"]) { "When" }
                            el("th", ["scope": "col"]) { "What" }
                            el("th", ["scope": "col"]) { "Site" }
                            el("th", ["scope": "col"]) { "Participant" }
                            el("th", ["scope": "col"]) { "Status" }
                        }
                    }
                    el("tbody") {
                        items.map { n in
                            el("tr", ["class": n.readAt == nil ? "notification unread" : "notification read"]) {
                                el("td") { AuditPage.when(n.createdAt) }
                                el("td") {
                                    n.kind.label
                                    if let date = n.onDate { " (\(n.kind == .reportDueSoon || n.kind == .reportOverdue ? "due" : "on") \(date))" }
                                }
                                el("td") { n.siteCode }
                                el("td") {
                                    el("form", ["class": "open-notification-form", "method": "post", "action": PageRoute.openNotification.path(n.id)]) {
                                        Forms.csrf(context)
                                        el("button", ["type": "submit", "class": "link-button"]) { "Open \(n.participantID.rawValue)" }
                                    }
                                }
                                el("td") { n.readAt == nil ? "Unread" : "Read" }
                            }
                        }
                    }
                }
            }
        }
    }

    static func state(_ preferences: NotificationPreferences) -> FormState {
        var values = ["emailAddress": preferences.emailAddress ?? ""]
        for kind in NotificationKind.allCases { values["delivery-\(kind.rawValue)"] = preferences.delivery(for: kind).rawValue }
        return FormState(form: FormData(values))
    }

    static func settings(context: AppRequestContext, state: FormState, saved: Bool) -> Node {
        Layout.page(title: "Notification settings", context: context) {
            el("p", ["class": "breadcrumb"]) { el("a", ["href": PageRoute.notificationInbox.path()]) { "Notifications" } }
            el("h1") { "Notification settings" }
            if saved { el("p", ["id": "settings-saved", "role": "status"]) { "Saved." } }
            Forms.generalErrors(state)
            el("p") {
                "Every notification is in your inbox here. E-mails say only what happened, the site and the participant's "
                "study identifier, with a link: never a name, an MRN or a value."
            }
            el("form", ["id": "notification-settings-form", "method": "post", "action": PageRoute.notificationSettings.path()]) {
                Forms.csrf(context)
                el("input", ["type": "hidden", "name": "_nonce", "value": state.form["_nonce"] ?? "notification-settings"])
                Forms.input("emailAddress", label: "E-mail address", type: "email", hint: "Leave empty for no e-mail.", state: state)
                NotificationKind.allCases.map { kind in
                    Forms.select("delivery-\(kind.rawValue)", label: kind.label,
                                 options: EmailDelivery.allCases.map { ($0.rawValue, $0.label) }, state: state)
                }
                Forms.submit("Save settings")
            }
        }
    }
}
