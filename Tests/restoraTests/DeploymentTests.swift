import Foundation
import RestoraDomain
@testable import restora
import Testing

/// Issue 12, "deployment a clinic can do": how `restora serve` may be reached, and protocols that ship inside
/// the binary.
@Suite("Deployment: transport and built-in protocols")
struct DeploymentTests {
    static func config(host: String = "127.0.0.1", cert: String? = nil, key: String? = nil, publicURL: String? = nil, insecure: Bool = false) throws -> RestoraConfig {
        try RestoraConfig.resolve(
            flags: .init(host: host, tlsCert: cert, tlsKey: key, publicURL: publicURL, insecureHTTP: insecure), environment: [:], dotEnv: [:])
    }

    static func refusal(_ config: RestoraConfig) -> String? {
        do { _ = try TransportPlan.decide(config); return nil } catch let error as CLIFailure { return error.message } catch { return "\(error)" }
    }

    @Test("plain HTTP on a non-loopback address is refused unless --insecure-http, which warns and drops Secure")
    func plainHTTPOnTheNetwork() throws {
        let refused = Self.refusal(try Self.config(host: "0.0.0.0"))
        #expect(refused?.contains("refusing to serve plain HTTP on 0.0.0.0:8080") == true)
        #expect(refused?.contains("--insecure-http") == true)
        #expect(Self.refusal(try Self.config(host: "192.168.1.20", publicURL: "https://restora.clinic.example")) != nil)
        let insecure = try TransportPlan.decide(try Self.config(host: "0.0.0.0", insecure: true))
        #expect(insecure.tls == nil)
        #expect(insecure.secureCookies == false)
        #expect(insecure.warning?.contains("WARNING") == true)
        // Behind an HTTPS proxy on another machine the browser sees https: the cookie stays Secure.
        let proxied = try TransportPlan.decide(try Self.config(host: "0.0.0.0", publicURL: "https://restora.clinic.example", insecure: true))
        #expect(proxied.secureCookies)
        #expect(proxied.publicURL == "https://restora.clinic.example")
    }

    @Test("loopback alone or behind an HTTPS proxy serves plain HTTP with Secure cookies and no warning")
    func loopback() throws {
        for host in ["127.0.0.1", "localhost", "::1", "127.0.0.2"] {
            let plan = try TransportPlan.decide(try Self.config(host: host))
            #expect(plan.tls == nil && plan.secureCookies && plan.warning == nil, "\(host)")
        }
        let proxied = try TransportPlan.decide(try Self.config(publicURL: "https://restora.clinic.example/"))
        #expect(proxied.secureCookies && proxied.warning == nil)
        #expect(proxied.publicURL == "https://restora.clinic.example/")
        #expect(!TransportPlan.isLoopback("0.0.0.0") && !TransportPlan.isLoopback("10.0.0.1") && !TransportPlan.isLoopback("127.0.0.1.evil.example"))
    }

    @Test("TLS needs both files; a bad public URL or contradictory flags are refused with the flag named")
    func refusals() throws {
        #expect(Self.refusal(try Self.config(cert: "c.pem"))?.contains("--tls-cert needs --tls-key") == true)
        #expect(Self.refusal(try Self.config(key: "k.pem"))?.contains("--tls-key needs --tls-cert") == true)
        #expect(Self.refusal(try Self.config(cert: "c.pem", key: "k.pem", insecure: true))?.contains("--insecure-http") == true)
        #expect(Self.refusal(try Self.config(publicURL: "ftp://x"))?.contains("--public-url") == true)
        #expect(Self.refusal(try Self.config(publicURL: "restora.clinic.example"))?.contains("--public-url") == true)
        #expect(Self.refusal(try Self.config(publicURL: "http://restora.clinic.example"))?.contains("plain HTTP") == true)
        let tls = try TransportPlan.decide(try Self.config(host: "0.0.0.0", cert: "c.pem", key: "k.pem"))
        #expect(tls.tls == TransportPlan.TLSFiles(certificate: "c.pem", key: "k.pem"))
        #expect(tls.secureCookies && tls.publicURL == "https://0.0.0.0:8080/")
    }

    @Test("unreadable TLS files are a message naming the flag and the file, before anything listens")
    func unreadableTLSFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.pem").path
        try "not a certificate\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let plan = try TransportPlan.decide(try Self.config(cert: junk, key: junk))
        do { _ = try plan.server(); Issue.record("junk certificate accepted") } catch let error as CLIFailure {
            #expect(error.message.hasPrefix("--tls-cert \(junk)"))
        }
    }

    @Test("settings come from the environment too (RESTORA_TLS_CERT, RESTORA_PUBLIC_URL, RESTORA_INSECURE_HTTP)")
    func environment() throws {
        let config = try RestoraConfig.resolve(flags: .init(), environment: [
            "RESTORA_TLS_CERT": "c.pem", "RESTORA_TLS_KEY": "k.pem", "RESTORA_PUBLIC_URL": "https://x.example", "RESTORA_INSECURE_HTTP": "yes",
        ], dotEnv: [:])
        #expect(config.tlsCert == "c.pem" && config.tlsKey == "k.pem" && config.publicURL == "https://x.example" && config.insecureHTTP)
        #expect(throws: ConfigError.self) {
            try RestoraConfig.resolve(flags: .init(), environment: ["RESTORA_INSECURE_HTTP": "maybe"], dotEnv: [:])
        }
    }

    @Test("the three protocols are built in: found from a folder without protocols/, and a protocols folder overrides by id or adds")
    func builtInProtocols() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-protocols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let builtIn = try ProtocolSource.parse([]).catalog(environment: [:], currentDirectory: folder.path)
        #expect(builtIn.ids == ["asc-azoospermia", "isotretinoin-noa", "isotretinoin-rct", "msc-osteoporosis"])
        #expect(builtIn.files["isotretinoin-noa"] == "built-in:isotretinoin-noa.yaml")
        // The built-in text is the package's protocols/ file (the randomised trial: examples/protocols/), byte for byte.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for file in BuiltInProtocols.files {
            let folder = file.name == "isotretinoin-rct.yaml" ? "examples/protocols" : "protocols"
            #expect(try String(contentsOf: root.appendingPathComponent("\(folder)/\(file.name)"), encoding: .utf8) == file.text)
        }
        // An override with the same id wins; the others stay built in.
        let local = folder.appendingPathComponent("protocols")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        let original = try #require(BuiltInProtocols.files.first { $0.name == "isotretinoin-noa.yaml" }).text
        let overridden = original.replacingOccurrences(of: "\ntitle: ", with: "\ntitle: LOCAL OVERRIDE ")
        #expect(overridden != original)
        try overridden.write(to: local.appendingPathComponent("isotretinoin-noa.yaml"), atomically: true, encoding: .utf8)
        let merged = try ProtocolSource.parse([]).catalog(environment: [:], currentDirectory: folder.path)
        #expect(merged.ids == builtIn.ids)
        #expect(try merged.definition(id: "isotretinoin-noa").title.hasPrefix("LOCAL OVERRIDE"))
        #expect(merged.files["isotretinoin-noa"]?.hasSuffix("protocols/isotretinoin-noa.yaml") == true)
        #expect(merged.files["msc-osteoporosis"] == "built-in:msc-osteoporosis.yaml")
        // RESTORA_PROTOCOLS_DIR pointing nowhere is an error, not a silent fallback.
        #expect(throws: CLIFailure.self) {
            try ProtocolSource.parse([]).catalog(environment: ["RESTORA_PROTOCOLS_DIR": folder.appendingPathComponent("nope").path], currentDirectory: folder.path)
        }
    }
}
