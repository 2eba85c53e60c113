import Foundation
import Hummingbird

/// The dashboard (`GET /`) and its chart data (`GET /v1/targets/{name}/series`).
extension StatusAPI {
    /// The series window of `GET /v1/targets/{name}/series` when `window` is not given.
    public static let defaultSeriesWindowSeconds: Double = 6 * 3600
    /// The accepted series `window` range: 5 minutes to 14 days.
    public static let seriesWindowRange: ClosedRange<Double> = 300...(14 * 86_400)

    /// The page's Content-Security-Policy: nothing outside the page and this server, so the
    /// dashboard works offline and cannot load anything from elsewhere.
    static let dashboardCSP =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func respondDashboard(_ route: Route, query: QueryParameters, context: BasicRequestContext) async throws -> Response {
        switch route.endpoint {
        case .series:
            let name = try seriesTargetName(context)
            let window = try query.duration("window", default: Self.defaultSeriesWindowSeconds, range: Self.seriesWindowRange)
            return try JSONResponse.encode(try await backend.series(name: name, windowSeconds: window))
        default:
            let page = try Self.dashboardDocument()
            let headers: HTTPFields = [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: Self.dashboardCSP,
                .xContentTypeOptions: "nosniff",
            ]
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
    }

    /// The dashboard page shipped in the module's resources: one HTML file, inline CSS and JS.
    public static func dashboardDocument() throws -> String {
        guard let url = Bundle.module.url(forResource: "dashboard", withExtension: "html", subdirectory: "Resources") else {
            throw APIError(.internalServerError, "dashboard.html is missing from the Controller bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func seriesTargetName(_ context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get("name") else { throw APIError.badRequest("name", "missing target name") }
        let name = raw.removingPercentEncoding ?? raw
        guard !name.isEmpty else { throw APIError.badRequest("name", "empty target name") }
        return name
    }
}
