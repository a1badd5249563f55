import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import RestoraDomain

/// The whole HTTP application as a plain function, so `restora serve` runs it and tests call
/// `app.test(.router)` on the very same thing.
/// `server` is plain HTTP/1.1 unless the composition root passes a TLS one (`restora serve --tls-cert`).
public func buildApplication(
    _ config: WebConfiguration, _ dependencies: WebDependencies, server: HTTPServerBuilder = .http1()
) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware(ids: dependencies.ids))
    router.add(middleware: RequestMetricsMiddleware(registry: dependencies.metrics))
    router.add(middleware: APIHeadersMiddleware())
    router.add(middleware: ErrorMiddleware())

    router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
    router.get("metrics") { request, context in
        try MetricsAccess.check(request, context, token: config.metricsToken)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                 body: .init(byteBuffer: ByteBuffer(string: dependencies.metrics.emitToString())))
    }
    router.get("api/v1/openapi.json") { _, _ in
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else { throw APIError.notFound }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }

    let api = router.group("api/v1")
        .add(middleware: BearerAuthMiddleware(users: dependencies.repositories.users, clock: dependencies.clock))
    api.get("me") { _, context in try JSONResponse.make(try context.requireUser()) }
    let signInGuard = SignInGuard(config: config, dependencies: dependencies)
    SessionController(dependencies: dependencies, config: config, signInGuard: signInGuard).register(public: router, authenticated: api)
    ParticipantController(dependencies: dependencies, config: config).register(on: api)
    EnrolmentController(dependencies: dependencies, config: config).register(on: api)
    ScreeningController(dependencies: dependencies, config: config).register(on: api)
    ScreeningInputsController(dependencies: dependencies, config: config).register(on: api)
    ObservationController(dependencies: dependencies, config: config).register(on: api)
    AdverseEventController(dependencies: dependencies, config: config).register(on: api)
    VisitController(dependencies: dependencies, config: config).register(on: api)
    MedicationController(dependencies: dependencies, config: config).register(on: api)
    CellProductController(dependencies: dependencies, config: config).register(on: api)
    ReleaseDecisionController(dependencies: dependencies, config: config).register(on: api)
    ProcedureController(dependencies: dependencies, config: config).register(on: api)
    DataQueryController(dependencies: dependencies, config: config).register(on: api)
    SDVController(dependencies: dependencies, config: config).register(on: api)
    DeviationController(dependencies: dependencies, config: config).register(on: api)
    SafetyAlertController(dependencies: dependencies, config: config).register(on: api)
    NotificationController(dependencies: dependencies, config: config).register(on: api)
    SafetyActionController(dependencies: dependencies, config: config).register(on: api)
    ExportController(dependencies: dependencies, config: config).register(on: api)
    RandomisationController(dependencies: dependencies, config: config).register(on: api)
    LockController(dependencies: dependencies, config: config).register(on: api)
    ConsentController(dependencies: dependencies, config: config).register(on: api)
    SignatureController(dependencies: dependencies, config: config, signInGuard: signInGuard).register(on: api)  // e-signatures (issue #16 item 3)
    AuditController(dependencies: dependencies).register(on: api)
    let fhir = FHIRBulkRoutes.advertised(FHIRServer(dependencies: dependencies, config: config)).mount(on: router)  // FHIR R4 at /fhir (issue #17, docs/fhir.md)
    FHIRBulkRoutes(dependencies: dependencies, config: config).register(on: fhir)  // Bulk Data $export (issue #17, docs/fhir.md "Bulk Data")
    WebPages.register(on: router, config: config, dependencies: dependencies, signInGuard: signInGuard)

    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Restora"),
        logger: dependencies.logger)
}
