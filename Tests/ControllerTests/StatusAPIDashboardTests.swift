@testable import Controller
import DecisionStorage
@testable import StatusAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Planner
import Testing

@Suite("Dashboard and series route")
struct StatusAPIDashboardTests {
    private static let token = "dash-token"

    private static func makeAPI(auth: APIAuth = APIAuth(token: token), full: Bool = true) -> (StatusAPI, FakeStatusBackend) {
        let backend = FakeStatusBackend(full: full)
        let api = StatusAPI(backend: backend, auth: auth, metrics: ControllerMetrics(), logger: Logger(label: "test.dashboard"), port: 0)
        return (api, backend)
    }

    private static func object(_ response: TestResponse) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        return try #require(value as? [String: Any], "\(String(buffer: response.body))")
    }

    @Test func rootServesSelfContainedHTML() async throws {
        let (api, _) = Self.makeAPI()
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"))
                let html = String(buffer: response.body)
                #expect(html.hasPrefix("<!doctype html>"))
                #expect(html.contains(#"data-testid="chart""#))
                #expect(html.contains(#"data-testid="target-mode-live""#) && html.contains(#"data-testid="target-mode-shadow""#))
                #expect(html.contains("/v1/targets/") && html.contains("/series?window="))
                // Nothing external: no URL at all, no script or stylesheet loaded from elsewhere.
                let lower = html.lowercased()
                #expect(!lower.contains("http://") && !lower.contains("https://") && !lower.contains("//cdn"))
                #expect(!lower.contains("<script src") && !lower.contains("<iframe") && !lower.contains("<object"))
                let style = try #require(lower.range(of: "<style>").flatMap { start in
                    lower.range(of: "</style>").map { String(lower[start.upperBound..<$0.lowerBound]) }
                })
                #expect(!style.contains("url(") && !style.contains("@import"))
                for attribute in ["href=\"", "src=\""] {
                    var rest = lower[...]
                    while let range = rest.range(of: attribute) {
                        let value = rest[range.upperBound...].prefix { $0 != "\"" }
                        #expect(value.hasPrefix("data:") || value.hasPrefix("#"), "\(attribute)\(value)")
                        rest = rest[range.upperBound...]
                    }
                }
                // API strings are put in with textContent only.
                #expect(!html.contains("innerHTML") && !html.contains("insertAdjacentHTML") && !html.contains("document.write"))
            }
        }
    }

    @Test func rootNeedsTheTokenWhenReadsDo() async throws {
        let (api, _) = Self.makeAPI(auth: APIAuth(token: Self.token, requireTokenForReads: true))
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/?x=1", method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/?target=orders", method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func seriesAnswersJSONWithTheDefaultWindow() async throws {
        let (api, backend) = Self.makeAPI()
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/targets/orders/series", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = try Self.object(response)
                #expect(body["target"] as? String == "orders")
                let points = try #require(body["points"] as? [[String: Any]])
                #expect(points.count == 3)
                let first = try #require(points.first)
                #expect(first["arrivalRate"] as? Double == 80)
                #expect(first["forecastP50"] as? Double == 82)
                #expect(first["forecastUpper"] as? Double == 95)
                #expect(first["capacity"] as? Double == 90)
                #expect(first["replicas"] as? Int == 3)
                #expect(first["planned"] as? Int == 4)
                #expect(first["reactive"] as? Int == 3)
            }
            try await client.execute(uri: "/v1/targets/orders/series?window=5m", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/targets/orders/series?window=14d", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        let windows = await backend.calls.compactMap { call -> Double? in
            if case .series(let name, let window) = call, name == "orders" { return window }
            return nil
        }
        #expect(windows == [6 * 3600, 300, 14 * 86_400])
    }

    @Test(arguments: ["1m", "299s", "15d", "abc", "", "6"])
    func seriesRejectsBadWindows(window: String) async throws {
        let (api, backend) = Self.makeAPI()
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/targets/orders/series?window=\(window)", method: .get) { response in
                #expect(response.status == .badRequest, "\(String(buffer: response.body))")
                let body = try Self.object(response)
                #expect(body["parameter"] as? String == "window")
                #expect((body["error"] as? String)?.contains("window") == true)
            }
        }
        #expect(await backend.calls.isEmpty)
    }

    @Test func seriesRejectsUnknownTargetsAndParameters() async throws {
        let (api, _) = Self.makeAPI()
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/targets/nope/series", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try Self.object(response)
                #expect(body["parameter"] as? String == "name")
            }
            try await client.execute(uri: "/v1/targets/orders/series?limit=5", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try Self.object(response)
                #expect(body["parameter"] as? String == "limit")
            }
        }
    }

    @Test func emptySeriesOmitsUnknownValues() async throws {
        let (api, _) = Self.makeAPI(full: false)
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/targets/orders/series", method: .get) { response in
                let points = try #require(try Self.object(response)["points"] as? [[String: Any]])
                #expect(points.count == 1)
                #expect(Set(points[0].keys) == ["time", "replicas", "planned"])
            }
        }
    }

    private static func input(_ time: Double, rate: Double = 100, replicas: Int = 2) -> ScoreInput {
        ScoreInput(
            target: "t", timeSeconds: time, currentReplicas: replicas, finalReplicas: replicas + 1, reactiveReplicas: replicas,
            lag: 0, arrivalRate: rate, throughput: rate, capacityPerReplica: 60, latencySLOSeconds: 30,
            forecast: ForecastInput(horizonSeconds: 300, p50: rate, upper: rate * 1.2, model: "test"))
    }

    @Test func downsamplingKeepsAFourteenDayWindowSmall() {
        let to = 2_000_000_000.0
        let from = to - 14 * 86_400
        // One decision every 15 s for 14 days: 80 640 rows.
        let inputs = stride(from: from, to: to, by: 15).map { Self.input($0, rate: $0) }
        let series = TargetSeries.downsample(target: "t", inputs: inputs, from: from, to: to)
        #expect(series.points.count <= TargetSeries.maxPoints)
        #expect(series.points.count >= TargetSeries.maxPoints - 1)
        #expect(zip(series.points, series.points.dropFirst()).allSatisfy { $0.time < $1.time })
        // Each bucket keeps its last decision; the newest one is always there.
        #expect(series.points.last?.time == inputs.last?.timeSeconds)
        #expect(series.points.last?.arrivalRate == inputs.last?.arrivalRate)
    }

    @Test func shortSeriesKeepEveryPointInOrderAndDropOthers() {
        let inputs = [Self.input(130, replicas: 3), Self.input(100), Self.input(50), Self.input(400)]
        let series = TargetSeries.downsample(target: "t", inputs: inputs, from: 100, to: 300)
        #expect(series.points.map(\.time) == [100, 130])
        let point = series.points[1]
        #expect(point.capacity == 180)
        #expect(point.replicas == 3 && point.planned == 4 && point.reactive == 3)
        #expect(point.forecastP50 == 100 && point.forecastUpper == 120 && point.forecastHorizon == 300)
        #expect(TargetSeries.downsample(target: "t", inputs: [], from: 0, to: 10).points.isEmpty)
    }
}
