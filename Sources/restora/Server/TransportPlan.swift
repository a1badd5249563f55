import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL

/// The flags that decide how `restora serve` and `restora demo` are reached (README "Deploying").
struct TransportOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (with --tls-key; RESTORA_TLS_CERT).")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert (RESTORA_TLS_KEY).")
    var tlsKey: String?
    @Option(name: .customLong("public-url"), help: "The address people open, e.g. https://restora.clinic.example when an HTTPS reverse proxy forwards to this server (RESTORA_PUBLIC_URL).")
    var publicURL: String?
    @Flag(name: .customLong("insecure-http"), help: "Allow plain HTTP on a non-loopback address (trusted networks only); the session cookie then goes without Secure (RESTORA_INSECURE_HTTP=1).")
    var insecureHTTP = false
}

/// How the server is reached, decided once from the configuration before anything listens: HTTPS with our own
/// certificate, plain HTTP on loopback (alone, or behind a reverse proxy that terminates HTTPS), or — only when
/// asked with `--insecure-http` — plain HTTP on the network, with a warning and a session cookie without
/// `Secure` (a browser drops a `Secure` cookie that came over plain HTTP, and sign-in would never stick).
struct TransportPlan {
    struct TLSFiles: Equatable {
        var certificate: String
        var key: String
    }

    /// Set when this server speaks HTTPS itself.
    var tls: TLSFiles?
    /// Whether the session cookie carries `Secure`.
    var secureCookies: Bool
    /// The address people open, for the banner and the log.
    var publicURL: String
    /// Printed on stderr at start when the set-up is weaker than it should be.
    var warning: String?

    static func decide(_ config: RestoraConfig) throws -> TransportPlan {
        let where_ = "\(config.host):\(config.port)"
        var tls: TLSFiles?
        switch (config.tlsCert, config.tlsKey) {
        case let (cert?, key?): tls = TLSFiles(certificate: cert, key: key)
        case (nil, nil): tls = nil
        case (_?, nil): throw CLIFailure("--tls-cert needs --tls-key (the certificate's private key, PEM)")
        case (nil, _?): throw CLIFailure("--tls-key needs --tls-cert (the certificate chain, PEM)")
        }
        var publicScheme: String?
        if let text = config.publicURL {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                  let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
            else {
                throw CLIFailure("--public-url: '\(text)' is not an address such as https://restora.clinic.example (http or https, a host, no query)")
            }
            publicScheme = scheme
            if scheme == "http", !isLoopback(host), !config.insecureHTTP {
                throw CLIFailure("--public-url \(text) is plain HTTP: sign-in would send passwords and the session cookie unencrypted. Use an https:// address (README \"Deploying\"), or add --insecure-http on a trusted network")
            }
        }
        if tls != nil {
            if config.insecureHTTP { throw CLIFailure("--insecure-http contradicts --tls-cert/--tls-key: this server speaks HTTPS") }
            if publicScheme == "http" { throw CLIFailure("--public-url is http:// but this server speaks HTTPS (--tls-cert)") }
            return TransportPlan(tls: tls, secureCookies: true, publicURL: config.publicURL ?? "https://\(urlHost(config.host)):\(config.port)/")
        }
        let shown = config.publicURL ?? "http://\(urlHost(config.host)):\(config.port)/"
        if !isLoopback(config.host), !config.insecureHTTP {
            throw CLIFailure("""
                refusing to serve plain HTTP on \(where_), which other machines can reach: passwords, the session cookie and \
                patient data would cross the network unencrypted, and browsers drop the Secure session cookie over plain HTTP. \
                Serve HTTPS with --tls-cert and --tls-key, or listen on 127.0.0.1 behind an HTTPS reverse proxy with \
                --public-url https://…, or, on a trusted network only, add --insecure-http (README "Deploying")
                """)
        }
        guard config.insecureHTTP else {
            return TransportPlan(tls: nil, secureCookies: true, publicURL: shown)
        }
        // Behind an HTTPS proxy the browser sees https, so the cookie stays Secure.
        let secure = publicScheme == "https"
        let warning = """
            WARNING: --insecure-http: serving plain HTTP on \(where_). Passwords, session cookies and patient data cross \
            the network unencrypted\(secure ? "" : ", and the session cookie is sent without Secure"). Use this on a trusted \
            network only; prefer --tls-cert/--tls-key or an HTTPS reverse proxy (README "Deploying").
            """
        return TransportPlan(tls: nil, secureCookies: secure, publicURL: shown, warning: warning)
    }

    /// 127.0.0.0/8, ::1 and localhost: reachable from this machine only.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    private static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// The HTTP server: HTTP/1.1, wrapped in TLS when certificate files are given. The files are read and
    /// checked here (readable PEM, key matching the certificate), so a mistake is a clear message at start.
    func server() throws -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        let certificates: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate)
        } catch {
            throw CLIFailure("--tls-cert \(tls.certificate): cannot read a PEM certificate (\(Self.reason(error)))")
        }
        guard !certificates.isEmpty else { throw CLIFailure("--tls-cert \(tls.certificate): no certificate in the file") }
        do {
            key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        } catch {
            throw CLIFailure("--tls-key \(tls.key): cannot read a PEM private key (\(Self.reason(error)))")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw CLIFailure("--tls-cert/--tls-key: the key does not belong to the certificate, or they cannot be used together (\(Self.reason(error)))")
        }
        return try .tls(.http1(), tlsConfiguration: configuration)
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return io.description }
        return String(describing: error).prefix(200).description
    }
}
