import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Research data exports through the JSON API and the page (issue #18, docs/exports.md): 202 and a job that
/// runs to done, files whose SHA-256 match the manifest, role gating (403), site scoping, 422 with nothing
/// written, 404 for a file the manifest does not list.
@Suite("Exports: API and page")
struct ExportAPITests {
    struct Job: Decodable {
        struct File: Decodable { var name: String; var rows: Int; var bytes: Int; var sha256: String; var href: String }
        var id: String
        var kind: String
        var status: String
        var deidentified: Bool
        var error: String?
        var participantCount: Int?
        var files: [File]
        var requestedBy: String
    }

    /// A harness whose exports go to a fresh temporary folder, with p-a (site A) and p-b (site B) enrolled in prog-1.
    static func with(_ body: @escaping @Sendable (WebHarness, any TestClientProtocol, URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-export-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await WebHarness.with(configure: { $0.exportDirectory = folder.path; $0.maxBodyBytes = 1 << 16 }) { h, client in
            for (id, participant, site) in [("e-a", "p-a", "site-a"), ("e-b", "p-b", "site-b")] {
                _ = try await h.database.repositories.enrolments.create(
                    Enrolment(id: Identifier(id), participantID: Identifier(participant), programID: "prog-1", siteID: Identifier(site)),
                    context: WebHarness.setup, idempotencyKey: nil)
            }
            try await body(h, client, folder)
        }
    }

    static func post(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ json: String,
                     expect status: HTTPResponse.Status) async throws -> (Job?, ErrorJSON?, String?) {
        try await client.execute(uri: "/api/v1/exports", method: .post, headers: h.headers(role), body: ByteBuffer(json: json)) { r in
            #expect(r.status == status, "\(String(buffer: r.body))")
            return (decoded(Job.self, r.body), decoded(ErrorJSON.self, r.body), r.headers[.location])
        }
    }

    /// Polls the job until it has ended (the export runs in a task of the server process).
    static func finished(_ h: WebHarness, _ client: any TestClientProtocol, _ role: UserRole, _ id: String) async throws -> Job {
        for _ in 0..<600 {
            let job = try await client.execute(uri: "/api/v1/exports/\(id)", method: .get, headers: h.headers(role)) { r in
                #expect(r.status == .ok)
                return try decode(Job.self, r.body)
            }
            if job.status == "done" || job.status == "failed" { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BrowserError("export \(id) did not finish")
    }

    /// No export folder, or an empty one: nothing was written.
    static func empty(_ folder: URL) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("a data manager's CSV export: 202 with Location, queued → done, every file downloads with the manifest's SHA-256; only site A's participant")
    func dataManagerExport() async throws {
        try await Self.with { h, client, folder in
            let (queued, _, location) = try await Self.post(h, client, .dataManager, #"{"kind":"csv","programId":"prog-1"}"#, expect: .accepted)
            let id = try #require(queued?.id)
            #expect(location == "/api/v1/exports/\(id)")
            #expect(queued?.status == "queued" && queued?.requestedBy == "data-manager")
            let job = try await Self.finished(h, client, .dataManager, id)
            #expect(job.status == "done", "\(job.error ?? "")")
            #expect(job.participantCount == 1)
            #expect(!job.files.isEmpty)
            for file in job.files {
                try await client.execute(uri: file.href, method: .get, headers: h.headers(.dataManager)) { r in
                    #expect(r.status == .ok)
                    #expect(r.body.readableBytes == file.bytes)
                    #expect(Self.hex(SHA256.hash(data: Data(r.body.readableBytesView))) == file.sha256, "\(file.name)")
                    if file.name.hasSuffix(".csv") { #expect(r.headers[.contentType] == "text/csv; charset=utf-8") }
                }
            }
            // Site scoping: the data manager belongs to site A, so p-b (site B) is not in the package.
            #expect(try await h.database.repositories.exportJobs.exportedParticipants(Identifier(id)) == ["p-a"])
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(id).path))
            // The list shows it; another exporter (the monitor) does not see it.
            try await client.execute(uri: "/api/v1/exports", method: .get, headers: h.headers(.dataManager)) { r in
                #expect(decoded([Job].self, r.body)?.map(\.id) == [id])
            }
            try await client.execute(uri: "/api/v1/exports/\(id)", method: .get, headers: h.headers(.monitor)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/exports/\(id)", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("a file the manifest does not list is 404, also a path that climbs out of the folder")
    func unknownFile() async throws {
        try await Self.with { h, client, _ in
            let (queued, _, _) = try await Self.post(h, client, .admin, #"{"kind":"odm","programId":"prog-1"}"#, expect: .accepted)
            let id = try #require(queued?.id)
            _ = try await Self.finished(h, client, .admin, id)
            for name in ["nope.csv", "..%2F..%2Fetc%2Fpasswd", "%2E%2E", ".manifest.json"] {
                try await client.execute(uri: "/api/v1/exports/\(id)/files/\(name)", method: .get, headers: h.headers(.admin)) { r in
                    #expect(r.status == .notFound, "\(name)")
                }
            }
            try await client.execute(uri: "/api/v1/exports/no-such-job", method: .get, headers: h.headers(.admin)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("role gating: coordinator, investigator and auditor 403; a monitor's identified export 403; nothing written")
    func roles() async throws {
        try await Self.with { h, client, folder in
            for role in [UserRole.coordinator, .investigator, .auditor] {
                let (_, error, _) = try await Self.post(h, client, role, #"{"kind":"csv","programId":"prog-1","deidentify":true}"#, expect: .forbidden)
                #expect(error?.error.code == "forbidden")
                try await client.execute(uri: "/api/v1/exports", method: .get, headers: h.headers(role)) { r in #expect(r.status == .forbidden) }
            }
            let (_, error, _) = try await Self.post(h, client, .monitor, #"{"kind":"sdtm","programId":"prog-1"}"#, expect: .forbidden)
            #expect(error?.error.message.contains("de-identified") == true)
            #expect(try await h.database.repositories.exportJobs.list(requestedBy: nil, limit: 10).isEmpty)
            #expect(Self.empty(folder))
        }
    }

    @Test("a monitor's de-identified export runs to done, with year precision")
    func monitorDeidentified() async throws {
        try await Self.with { h, client, _ in
            let (queued, _, _) = try await Self.post(h, client, .monitor, #"{"kind":"csv","programId":"prog-1","deidentify":true,"datePrecision":"year"}"#,
                                                     expect: .accepted)
            let job = try await Self.finished(h, client, .monitor, try #require(queued?.id))
            #expect(job.status == "done" && job.deidentified, "\(job.error ?? "")")
        }
    }

    @Test("422 with nothing written: unknown program, unknown kind, another site's participant, year precision on an identified export")
    func refusals() async throws {
        try await Self.with { h, client, folder in
            let cases: [(String, String)] = [
                (#"{"kind":"csv","programId":"no-such-program"}"#, "programId"),
                (#"{"kind":"xlsx","programId":"prog-1"}"#, "kind"),
                (#"{"kind":"csv","programId":"prog-1","participants":["p-b"]}"#, "participants[0]"),
                (#"{"kind":"csv","programId":"prog-1","participants":["p-a","p-a"]}"#, "participants[1]"),
                (#"{"kind":"csv","programId":"prog-1","datePrecision":"year"}"#, "datePrecision"),
            ]
            for (body, field) in cases {
                let (_, error, _) = try await Self.post(h, client, .dataManager, body, expect: .unprocessableContent)
                #expect(error?.error.details["field"] == field, "\(body)")
            }
            // Another site's participant reads exactly like one that does not exist.
            let (_, unknown, _) = try await Self.post(h, client, .dataManager, #"{"kind":"csv","programId":"prog-1","participants":["p-zz"]}"#,
                                                      expect: .unprocessableContent)
            let (_, otherSite, _) = try await Self.post(h, client, .dataManager, #"{"kind":"csv","programId":"prog-1","participants":["p-b"]}"#,
                                                        expect: .unprocessableContent)
            #expect(unknown?.error.message.replacingOccurrences(of: "p-zz", with: "X") == otherSite?.error.message.replacingOccurrences(of: "p-b", with: "X"))
            #expect(try await h.database.repositories.exportJobs.list(requestedBy: nil, limit: 10).isEmpty)
            #expect(Self.empty(folder))
        }
    }

    @Test("one export job runs at a time: the next waits until the running one leaves, in the order asked")
    func oneAtATime() async throws {
        actor Order { var entered: [Int] = []; func add(_ n: Int) { entered.append(n) } }
        let board = ExportProgressBoard()
        let order = Order()
        await board.enter()
        let second = Task { await board.enter(); await order.add(2) }
        try await Task.sleep(for: .milliseconds(50))
        let third = Task { await board.enter(); await order.add(3) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await order.entered.isEmpty)
        await board.leave()
        await second.value
        #expect(await order.entered == [2])
        await board.leave()
        await third.value
        #expect(await order.entered == [2, 3])
        await board.leave()
        await board.enter()
        await board.leave()
    }

    @Test("the data-manager role: raises and closes a data query, reads the audit trail, writes no clinical data, sees only its sites")
    func dataManagerRole() async throws {
        try await WebHarness.with { h, client in
            _ = try await h.database.repositories.observations.create(
                Observation(id: "o-1", participantID: "p-a", code: Coding(.loinc, "2571-8"), value: .quantity(Quantity(150, "mg/dL")),
                            effective: WebHarness.now.addingTimeInterval(-3_600)),
                context: WebHarness.setup, idempotencyKey: nil)
            let question = #"{"recordKind":"observations","recordID":"o-1","field":"value","question":"Unit mg/dL or mmol/L?"}"#
            let query = try await client.execute(uri: "/api/v1/participants/p-a/queries", method: .post, headers: h.headers(.dataManager),
                                                 body: ByteBuffer(json: question)) { r in
                #expect(r.status == .created)
                return try decode(RecordJSON.self, r.body)
            }
            try await client.execute(uri: "/api/v1/queries/\(query.id)/close", method: .post, headers: h.headers(.dataManager, ifMatch: "\"1\"")) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.dataManager),
                                     body: ByteBuffer(json: #"{"code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":180,"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/audit/observations/o-1", method: .get, headers: h.headers(.dataManager)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/participants/p-b", method: .get, headers: h.headers(.dataManager)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("the page: a data manager starts an export with the form and sees it listed; a coordinator gets 403 and no nav link")
    func page() async throws {
        try await Self.with { h, client, _ in
            var manager = try await WebBrowser.signedIn(h, client, as: .dataManager)
            let dashboard = try await manager.get("/dashboard")
            #expect(dashboard.html.contains("id=\"nav-exports\""))
            let refused = try await manager.submit("/exports", [("programId", "no-such"), ("kind", "csv")])
            #expect(refused.result.status == .unprocessableContent)
            #expect(refused.result.fieldError("programId") != nil)
            let (form, result) = try await manager.submit("/exports", [("programId", "prog-1"), ("kind", "sdtm"), ("deidentify", "yes"), ("datePrecision", "day")])
            #expect(form.html.contains("id=\"export-form\""))
            #expect(result.status == .seeOther && result.location == "/exports")
            let jobs = try await h.database.repositories.exportJobs.list(requestedBy: nil, limit: 10)
            #expect(jobs.count == 1 && jobs.first?.value.deidentified == true && jobs.first?.value.requestedByName == "web-data-manager")
            let id = try #require(jobs.first?.value.id.rawValue)
            var listed = try await manager.get("/exports")
            for _ in 0..<600 where !listed.html.contains("data-status=\"done\"") && !listed.html.contains("data-status=\"failed\"") {
                try await Task.sleep(for: .milliseconds(50))
                listed = try await manager.get("/exports")
            }
            #expect(listed.html.contains("id=\"export-\(id)\""))
            #expect(listed.html.contains("data-status=\"done\""))
            #expect(listed.html.contains("/exports/\(id)/files/dm.xpt"))
            let download = try await manager.get("/exports/\(id)/files/dm.xpt")
            #expect(download.status == .ok)

            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            #expect(try await coordinator.get("/exports").status == .forbidden)
            #expect(!(try await coordinator.get("/dashboard")).html.contains("nav-exports"))
            #expect(try await coordinator.get("/exports/\(id)/files/dm.xpt").status == .forbidden)
        }
    }
}
