import Foundation
import Hummingbird
import Orchestrators
import Planner
import Simulation

/// The demo's simulated cluster, served over HTTP on 127.0.0.1 so that Forescale's real
/// Prometheus source and webhook orchestrator talk to it:
///
/// - `GET /api/v1/query?query=demo_lag|demo_arrival_rate|demo_throughput` — a Prometheus instant
///   vector with the queue's value at the clock's now;
/// - `GET /api/v1/query_range?query=demo_arrival_rate&start&end&step` — the trace's arrival rate
///   per minute before the demo began (what a real Prometheus would hold), for backfill;
/// - `GET /scale?target=NAME` and `POST /scale` — the webhook orchestrator's protocol.
///
/// While `incumbent` is on, a KEDA-equivalent autoscaler (what users run today) scales the
/// group every 15 s; Forescale takes over when the demo switches it to live.
actor DemoCluster {
    private var queue: DemoQueue
    private let history: [(time: Double, rate: Double)]
    private let clock: any ControlClock
    private var incumbent: KEDAController?
    private(set) var scaleCalls = 0

    init(queue: DemoQueue, history: [(time: Double, rate: Double)], clock: any ControlClock, incumbent: KEDAController?) {
        self.queue = queue
        self.history = history
        self.clock = clock
        self.incumbent = incumbent
    }

    /// Brings the queue to the clock's now, running the incumbent every 15 simulated seconds.
    func advance() {
        let now = clock.now().timeIntervalSince1970
        var incumbent = self.incumbent
        queue.advance(to: now) { queue in
            guard incumbent != nil, queue.second % 15 == 0 else { return }
            let view = ControllerView(observation: queue.observation, now: queue.now, second: queue.second, trueLag: queue.backlog)
            if let desired = incumbent?.tick(view).desiredReplicas, desired != queue.desired { queue.scale(to: desired) }
        }
        self.incumbent = incumbent
    }

    /// Stops the incumbent autoscaler: from now on only Forescale scales.
    func retireIncumbent() {
        advance()
        incumbent = nil
    }

    var snapshot: DemoQueue {
        advance()
        return queue
    }

    // MARK: HTTP

    func value(of query: String) -> Double? {
        advance()
        switch query.trimmingCharacters(in: .whitespaces) {
        case "demo_lag": return queue.backlog
        case "demo_arrival_rate": return queue.arrivalRate
        case "demo_throughput": return queue.throughput
        default: return nil
        }
    }

    func range(_ query: String, start: Double, end: Double, step: Double) -> [(Double, Double)]? {
        guard query.trimmingCharacters(in: .whitespaces) == "demo_arrival_rate" else { return nil }
        var points: [(Double, Double)] = []
        var next = start
        for (time, rate) in history where time >= start && time <= end {
            if time >= next {
                points.append((time, rate))
                next = time + step
            }
        }
        return points
    }

    func scaleState() -> (replicas: Int, ready: Int) {
        advance()
        return (queue.desired, queue.ready)
    }

    func scale(to replicas: Int) {
        advance()
        scaleCalls += 1
        queue.scale(to: replicas)
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/api/v1/query") { request, _ -> Response in
            let query = request.uri.queryParameters.get("query") ?? ""
            guard let value = await self.value(of: query) else {
                return Self.promError("unknown series '\(query)' (demo_lag, demo_arrival_rate, demo_throughput)")
            }
            let time = self.clock.now().timeIntervalSince1970
            return Self.json(
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"\#(query)"},"value":[\#(time),"\#(value)"]}]}}"#)
        }
        router.get("/api/v1/query_range") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            let query = parameters.get("query") ?? ""
            guard let start = parameters.get("start").flatMap(Double.init), let end = parameters.get("end").flatMap(Double.init),
                  let step = parameters.get("step").flatMap(Double.init), step > 0 else {
                return Self.promError("start, end and step are required")
            }
            guard let points = await self.range(query, start: start, end: end, step: step) else {
                return Self.json(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
            }
            let values = points.map { "[\($0.0),\"\($0.1)\"]" }.joined(separator: ",")
            return Self.json(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"\#(query)"},"values":[\#(values)]}]}}"#)
        }
        router.get("/scale") { _, _ -> Response in
            let state = await self.scaleState()
            return Self.json(#"{"replicas":\#(state.replicas),"readyReplicas":\#(state.ready)}"#)
        }
        router.post("/scale") { request, context -> Response in
            let body = try await request.decode(as: WebhookScaleRequest.self, context: context)
            await self.scale(to: body.desiredReplicas)
            return Self.json(#"{"ok":true}"#)
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func promError(_ message: String) -> Response {
        json(#"{"status":"error","errorType":"bad_data","error":"\#(message)"}"#, status: .badRequest)
    }
}
