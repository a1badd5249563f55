import Foundation
import Hummingbird
import RestoraDomain

/// Registers the HTML pages: the session middleware reads the sign-in state for every page, the error
/// middleware (inside it) turns failures into pages; each page's routes live beside its view.
enum WebPages {
    static func register(on router: Router<AppRequestContext>, config: WebConfiguration, dependencies: WebDependencies, signInGuard: SignInGuard) {
        router.get(PageRoute.asset) { _, context in try Self.asset(try context.parameters.require("name")) }
        // The session middleware runs first, so an error page is drawn for the signed-in user (header,
        // sign-out) and a 404 or 403 keeps the person's bearings.
        let pages = router.group()
            .add(middleware: WebSessionMiddleware(users: dependencies.repositories.users, clock: dependencies.clock, ids: dependencies.ids, syntheticLabel: config.syntheticLabel,
                                                 notifications: dependencies.repositories.notifications))
            .add(middleware: WebErrorMiddleware())
        SignInController(dependencies: dependencies, config: config, signInGuard: signInGuard).register(on: pages)
        DashboardController(dependencies: dependencies).register(on: pages)
        ParticipantListController(dependencies: dependencies, config: config).register(on: pages)
        ParticipantPageController(dependencies: dependencies).register(on: pages)
        EnrolmentPagesController(dependencies: dependencies, config: config).register(on: pages)
        VisitPagesController(dependencies: dependencies, config: config).register(on: pages)
        ReportPageController(dependencies: dependencies, config: config).register(on: pages)
        EntryController(dependencies: dependencies, config: config).register(on: pages)
        ScreeningInputsPagesController(dependencies: dependencies, config: config).register(on: pages)
        CellTherapyPagesController(dependencies: dependencies, config: config).register(on: pages)
        MedicationPagesController(dependencies: dependencies, config: config).register(on: pages)
        AuditPageController(dependencies: dependencies).register(on: pages)
        AlertPageController(dependencies: dependencies, config: config).register(on: pages)
        AlertHoldPageController(dependencies: dependencies, config: config).register(on: pages)
        NotificationPagesController(dependencies: dependencies, config: config).register(on: pages)
        PrescreenController(dependencies: dependencies, config: config).register(on: pages)
        AdverseEventPagesController(dependencies: dependencies, config: config).register(on: pages)
        ExportPagesController(dependencies: dependencies, config: config).register(on: pages)
        QueryPagesController(dependencies: dependencies, config: config).register(on: pages)  // ParticipantPage+Queries.swift
        SDVPagesController(dependencies: dependencies, config: config).register(on: pages)
        SignaturePagesController(dependencies: dependencies, config: config, signInGuard: signInGuard).register(on: pages)  // e-signatures (issue #16 item 3)
        LockPagesController(dependencies: dependencies, config: config).register(on: pages)  // ParticipantPage+Lock.swift
        RandomisationPagesController(dependencies: dependencies, config: config).register(on: pages)
        ConsentPagesController(dependencies: dependencies, config: config).register(on: pages)  // e-consent (issue #16 item 2)
    }

    static let assetTypes = ["css": "text/css; charset=utf-8", "svg": "image/svg+xml"]

    /// Files of `Resources/assets`, by plain name only (no paths).
    static func asset(_ name: String) throws -> Response {
        let parts = name.split(separator: ".")
        guard parts.count == 2, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }),
              let type = assetTypes[String(parts[1])],
              let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "assets")
        else { throw APIError.notFound }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }
}
