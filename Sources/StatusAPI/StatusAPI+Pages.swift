import Foundation
import Hummingbird

/// The two routes of the document that are not JSON and are registered by hand (the generator
/// config leaves them out): `GET /metrics` (Prometheus text 0.0.4) and `GET /` (the dashboard, one
/// HTML page). `RequestGate` applies their `security` and query parameters as for every operation.
extension StatusAPI {
    /// The page's Content-Security-Policy: nothing outside the page and this server, so the
    /// dashboard works offline and cannot load anything from elsewhere.
    static let dashboardCSP =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func registerPages(on router: Router<BasicRequestContext>) {
        let metrics = self.metrics
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/") { _, _ in
            let page = try Self.dashboardDocument()
            let headers: HTTPFields = [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: Self.dashboardCSP,
                .xContentTypeOptions: "nosniff",
            ]
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
    }

    /// The dashboard page compiled into the module: one HTML file, inline CSS and JS.
    public static func dashboardDocument() throws -> String {
        guard let text = String(validating: PackageResources.dashboard_html, as: UTF8.self) else {
            throw APIError(.internalServerError, "dashboard.html is not UTF-8")
        }
        return text
    }
}
