/// Research data exports (issue #18, docs/exports.md): an asynchronous job per export, its status and manifest,
/// and the package's files; the web page that asks for one and lists them.
extension APIRoute {
    static let createExport = APIRoute(.post, "exports")
    static let exports = APIRoute(.get, "exports")
    static let export = APIRoute(.get, "exports/:id")
    static let exportFile = APIRoute(.get, "exports/:id/files/:name")

    static let exportRoutes: [APIRoute] = [createExport, exports, export, exportFile]
}

extension PageRoute {
    static let exportsPage = PageRoute("/exports")
    static let exportFilePage = PageRoute("/exports/:id/files/:name")
}
