import RestoraDomain

/// The frame of every page: skip link, header with navigation and sign-out, the main content, and a footer
/// that says where the data come from. Printable (the stylesheet hides navigation in print).
enum Layout {
    static func page(title: String, context: AppRequestContext, @NodeBuilder _ body: () -> [Node]) -> Node {
        el("html", ["lang": "en"]) {
            el("head") {
                el("meta", ["charset": "utf-8"])
                el("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                el("title") { "\(title) · Restora" }
                el("link", ["rel": "stylesheet", "href": WebPath.stylesheet])
            }
            el("body") {
                el("a", ["class": "skip-link", "href": "#main"]) { "Skip to content" }
                header(context)
                if let label = context.syntheticLabel { el("p", ["class": "synthetic-banner", "role": "note"]) { label } }
                el("main", ["id": "main", "tabindex": "-1"]) { body() }
                el("footer", ["class": "site-footer"]) {
                    "Restora — treatment programs and clinical trials in regenerative and reproductive medicine."
                }
            }
        }
    }

    static func header(_ context: AppRequestContext) -> Node {
        el("header", ["class": "site-header"]) {
            el("a", ["class": "brand", "href": context.user == nil ? WebPath.prescreen : WebPath.dashboard]) { "Restora" }
            if let user = context.user {
                el("nav", ["aria-label": "Main"]) {
                    el("a", ["id": "nav-dashboard", "href": WebPath.dashboard]) { "Dashboard" }
                    el("a", ["id": "nav-participants", "href": WebPath.participants]) { "Participants" }
                    el("a", ["id": "nav-prescreened", "href": WebPath.prescreened]) { "Pre-screened" }
                    if ExportDoor.mayExport(user.role) { el("a", ["id": "nav-exports", "href": PageRoute.exportsPage.path()]) { "Exports" } }
                    el("a", ["id": "nav-notifications", "href": PageRoute.notificationInbox.path()]) {
                        context.unreadNotifications > 0 ? "Notifications (\(context.unreadNotifications) unread)" : "Notifications"
                    }
                }
                el("div", ["class": "user"]) {
                    el("span") { "\(user.username) (\(user.role.rawValue))" }
                    el("form", ["id": "sign-out-form", "method": "post", "action": WebPath.signOut]) {
                        Forms.csrf(context)
                        el("button", ["id": "sign-out-button", "type": "submit", "class": "link-button"]) { "Sign out" }
                    }
                }
            }
        }
    }

    /// A titled section with a stable id (the browser tests and the skip links find sections by id).
    static func section(_ id: String, _ title: String, @NodeBuilder _ body: () -> [Node]) -> Node {
        el("section", ["id": id, "aria-labelledby": "\(id)-title"]) {
            el("h2", ["id": "\(id)-title"]) { title }
            body()
        }
    }

    /// A short line for an empty list, instead of an empty table.
    static func empty(_ text: String) -> Node { el("p", ["class": "empty"]) { text } }
}

enum ErrorPage {
    static func view(context: AppRequestContext, status: Int, title: String, message: String) -> Node {
        Layout.page(title: title, context: context) {
            el("h1", ["id": "error-title"]) { title }
            el("p", ["class": "error-message"]) { message }
            el("p") {
                el("a", ["href": context.user == nil ? WebPath.signIn : WebPath.dashboard]) {
                    context.user == nil ? "Sign in" : "Back to the dashboard"
                }
            }
            el("p", ["class": "muted"]) { "HTTP \(status) · reference \(context.requestID)" }
        }
    }
}
