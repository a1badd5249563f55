import Foundation
import HTTPTypes
import Hummingbird

/// HTML responses: UTF-8, never cached (clinical data), and a content security policy that allows only
/// Restora's own stylesheet (and inline SVG styling), no scripts from anywhere, and forms posting to itself.
enum HTMLResponse {
    static func html(_ node: Node, status: HTTPResponse.Status = .ok) -> Response {
        let body = "<!DOCTYPE html>\n" + node.render()
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
        ]
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: after a successful post, so reloading the page never posts again.
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}

/// How a page handler leaves the normal path; `WebErrorMiddleware` turns these into responses.
enum WebFlow: Error {
    /// Not signed in (or the session expired) on a page: go to sign-in and come back.
    case signIn(next: String)
    /// A form posted after the session expired: sign in again, then offer to submit what was typed.
    case signInToResume(action: String, form: FormData)
    /// The form's anti-forgery token is missing or wrong.
    case forgedForm
}
