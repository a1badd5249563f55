/// Notification routes (issue #15 item 6, docs/notifications.md): the signed-in user's inbox and settings.
extension APIRoute {
    static let notifications = APIRoute(.get, "notifications")
    static let readNotification = APIRoute(.post, "notifications/:id/read")
    static let notificationPreferences = APIRoute(.get, "notification-preferences")
    static let setNotificationPreferences = APIRoute(.put, "notification-preferences")

    static let notificationRoutes: [APIRoute] = [notifications, readNotification, notificationPreferences, setNotificationPreferences]
}

extension PageRoute {
    static let notificationInbox = PageRoute("/notifications")
    static let notificationSettings = PageRoute("/notifications/settings")
    static let openNotification = PageRoute("/notifications/:id/open")
    static let readAllNotifications = PageRoute("/notifications/read-all")
}
