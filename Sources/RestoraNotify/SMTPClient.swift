import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RestoraDomain

/// Where and how e-mail is sent (`RESTORA_SMTP_*`, docs/notifications.md).
public struct SMTPConfiguration: Sendable, Equatable {
    public enum StartTLS: String, Sendable, CaseIterable {
        /// STARTTLS when the server offers it (certificate verified); plain otherwise. The default, so a relay on
        /// loopback without TLS works; set `required` for a relay across the network.
        case opportunistic
        /// Refuse to send unless the server offers STARTTLS and the certificate verifies.
        case required
        /// Never STARTTLS (a local relay or test sink on loopback).
        case off
    }

    public var host: String
    public var port: Int
    public var from: String
    public var username: String?
    public var password: String?
    public var startTLS: StartTLS
    /// Seconds for connecting and for each reply.
    public var timeoutSeconds: Int64

    public init(host: String, port: Int = 25, from: String, username: String? = nil, password: String? = nil,
                startTLS: StartTLS = .opportunistic, timeoutSeconds: Int64 = 30) {
        self.host = host
        self.port = port
        self.from = from
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A minimal SMTP client (RFC 5321) on SwiftNIO: one connection per message, EHLO, STARTTLS (RFC 3207, via
/// swift-nio-ssl) when configured, AUTH PLAIN or LOGIN (RFC 4954) when credentials are set, MAIL/RCPT/DATA
/// with dot-stuffing, QUIT. A 4xx reply or a broken connection is a temporary failure (the worker retries);
/// a 5xx reply is permanent. Neither the message nor the credentials are ever logged.
public struct SMTPClient: MailTransport {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    public func send(_ message: NotificationMessage, from: String) async throws {
        let handler = SMTPReplyHandler()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(configuration.timeoutSeconds))
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) } }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw MailDeliveryError(permanent: false, reason: "cannot connect to \(configuration.host):\(configuration.port)")
        }
        let session = SMTPSession(channel: channel, handler: handler, timeout: configuration.timeoutSeconds)
        do {
            try await session.converse(message, configuration: configuration, from: from)
            try? await channel.close()
        } catch {
            try? await channel.close()
            if let error = error as? MailDeliveryError { throw error }
            throw MailDeliveryError(permanent: false, reason: "SMTP connection failed (\(type(of: error)))")
        }
    }
}

/// One SMTP reply: the code and its text lines.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// The conversation on one connection.
struct SMTPSession {
    let channel: any Channel
    let handler: SMTPReplyHandler
    let timeout: Int64

    func converse(_ message: NotificationMessage, configuration: SMTPConfiguration, from: String) async throws {
        try expect(await reply(), 220, "greeting")
        var capabilities = try expect(await command("EHLO \(Self.ehloName)"), 250, "EHLO").lines
        let offersTLS = capabilities.contains { $0.uppercased().hasPrefix("STARTTLS") }
        if configuration.startTLS == .required && !offersTLS {
            throw MailDeliveryError(permanent: false, reason: "the SMTP server does not offer STARTTLS (RESTORA_SMTP_STARTTLS=required)")
        }
        if configuration.startTLS != .off && offersTLS {
            try expect(await command("STARTTLS"), 220, "STARTTLS")
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            let tls = try NIOSSLClientHandler(context: context, serverHostname: configuration.host)
            try await channel.pipeline.addHandler(tls, position: .first).get()
            capabilities = try expect(await command("EHLO \(Self.ehloName)"), 250, "EHLO after STARTTLS").lines
        }
        if let user = configuration.username, let password = configuration.password {
            let auth = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased() ?? ""
            if auth.contains("PLAIN") || !auth.contains("LOGIN") {
                let token = Data(("\u{0}" + user + "\u{0}" + password).utf8).base64EncodedString()
                try expect(await command("AUTH PLAIN \(token)"), 235, "AUTH PLAIN")
            } else {
                try expect(await command("AUTH LOGIN"), 334, "AUTH LOGIN")
                try expect(await command(Data(user.utf8).base64EncodedString()), 334, "AUTH LOGIN user")
                try expect(await command(Data(password.utf8).base64EncodedString()), 235, "AUTH LOGIN password")
            }
        }
        try expect(await command("MAIL FROM:<\(Self.address(from))>"), 250, "MAIL FROM")
        try expect(await command("RCPT TO:<\(Self.address(message.to))>"), 250, "RCPT TO", alsoOK: [251])
        try expect(await command("DATA"), 354, "DATA")
        try await write(Self.data(message, from: from))
        try expect(await reply(), 250, "end of DATA")
        _ = try? await command("QUIT")
    }

    static let ehloName = "restora.localdomain"

    /// The address inside `Name <addr>`, or the text itself.
    static func address(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The message as DATA: headers, a blank line, the body with CRLF line ends and dot-stuffing, and the end mark.
    static func data(_ message: NotificationMessage, from: String, date: Date = Date()) -> String {
        let headers = [
            "From: \(from)", "To: \(message.to)", "Subject: \(encodedHeader(message.subject))",
            "Date: \(rfc5322Date(date))", "Message-ID: \(message.messageID)", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "Auto-Submitted: auto-generated",
        ]
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return (headers + [""] + body).joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// RFC 2047 encoded-word for a subject that is not plain ASCII.
    static func encodedHeader(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard clean.unicodeScalars.contains(where: { !$0.isASCII }) else { return clean }
        return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    @discardableResult
    func expect(_ reply: SMTPReply, _ code: Int, _ step: String, alsoOK: [Int] = []) throws -> SMTPReply {
        guard reply.code == code || alsoOK.contains(reply.code) else {
            // The server's reply text says why (it never holds our message); cut short.
            throw MailDeliveryError(permanent: (500..<600).contains(reply.code),
                                    reason: "\(step): \(reply.code) \(String(reply.text.prefix(200)))")
        }
        return reply
    }

    func command(_ line: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await reply()
    }

    func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// The next reply, or a temporary failure when none comes within the timeout (the connection is closed).
    func reply() async throws -> SMTPReply {
        let channel = self.channel
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(self.timeout)) { channel.close(promise: nil) }
        defer { timeout.cancel() }
        let handler = self.handler
        return try await channel.eventLoop.flatSubmit { handler.next(on: channel.eventLoop) }.get()
    }
}

/// Collects the server's lines into replies (multi-line replies: `250-…` lines up to the `250 …` one) and hands
/// them out in order. All state is touched on the channel's event loop only.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var pending = ""
    private var lines: [String] = []
    private var replies: [SMTPReply] = []
    private var waiters: [EventLoopPromise<SMTPReply>] = []
    private var closed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = pending.range(of: "\r\n") ?? pending.range(of: "\n") {
            let line = String(pending[..<end.lowerBound])
            pending = String(pending[end.upperBound...])
            lines.append(line)
            let chars = Array(line)
            if chars.count < 4 || chars[3] == " " {
                let code = Int(String(chars.prefix(3))) ?? 0
                let texts = lines.map { $0.count > 4 ? String($0.dropFirst(4)) : "" }
                lines = []
                deliver(SMTPReply(code: code, lines: texts))
            }
        }
    }

    private func deliver(_ reply: SMTPReply) {
        if waiters.isEmpty { replies.append(reply) } else { waiters.removeFirst().succeed(reply) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.fail(MailDeliveryError(permanent: false, reason: "the SMTP server closed the connection")) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS failure (certificate not trusted, handshake refused) lands here: the connection is dropped.
        context.close(promise: nil)
    }

    func next(on loop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !replies.isEmpty { return loop.makeSucceededFuture(replies.removeFirst()) }
        if closed { return loop.makeFailedFuture(MailDeliveryError(permanent: false, reason: "the SMTP server closed the connection")) }
        let promise = loop.makePromise(of: SMTPReply.self)
        waiters.append(promise)
        return promise.futureResult
    }
}
