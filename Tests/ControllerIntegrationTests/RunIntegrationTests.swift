import Controller
import DecisionStorage
import ForescaleTestKit
import Foundation
import Testing

/// `forescale run` as a user runs it: the real binary, a real Prometheus, and the fake Kubernetes
/// API (no real cluster can run here) in this process. The status API is driven over HTTP.
@Suite("forescale run against Prometheus and the Kubernetes API", .serialized)
struct RunIntegrationTests {
    static let token = "s3cret-token"

    /// A scratch folder with a token file, a kubeconfig for the fake API server and a config.
    struct Setup {
        let dir: String
        let configPath: String
        let logPath: String

        init(kubeURL: String, prometheus: String, arrivalRate: String = "vector(150)", mode: String = "shadow") throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-run-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "\(RunIntegrationTests.token)\n".write(toFile: "\(dir)/token", atomically: true, encoding: .utf8)
            try FakeKubernetesAPIServer.kubeconfig(server: kubeURL, token: "kube-token", namespace: "shop")
                .write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
            logPath = "\(dir)/decisions.sqlite"
            configPath = "\(dir)/forescale.yaml"
            try """
            controller:
              interval: 1s
              mode: \(mode)
              status: { listen: '127.0.0.1:8080', tokenFile: \(dir)/token }
              decisionLog: { path: \(logPath) }
            sources:
              prom: { type: prometheus, url: '\(prometheus)', timeout: 500ms }
            orchestrators:
              k8s: { type: kubernetes, kubeconfig: \(dir)/kubeconfig }
            targets:
              - name: orders
                scale: { orchestrator: k8s, kind: Deployment, namespace: shop, name: orders }
                replicas: { min: 1, max: 20 }
                metrics:
                  lag: { source: prom, query: 'vector(0)' }
                  arrivalRate: { source: prom, query: '\(arrivalRate)' }
                  throughput: { source: prom, query: 'vector(150)' }
                capacity: { perReplica: 50 }
                startup: 10s
                staleAfter: 10s
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        func start(jsonLogs: Bool = false) async throws -> (ChildProcess, String) {
            let child = try ChildProcess(
                try forescaleBinary(), ["run", "--config", configPath, "--listen", "127.0.0.1:0"] + (jsonLogs ? ["--log-format", "json"] : []),
                stderrPath: "\(dir)/stderr-\(UUID().uuidString.prefix(8)).log")
            let line = try await child.line(startingWith: "status API listening on ", within: 60)
            return (child, String(line.dropFirst("status API listening on ".count)))
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    static func requirePrometheus(_ url: String) async throws {
        try #require(await reachable(url + "/-/ready"), "Prometheus is not reachable at \(url): start it with scripts/services/start.sh")
    }

    static func patches(_ kube: FakeKubernetesAPIServer) async -> [RecordedRequest] {
        await kube.requests().filter { $0.method == "PATCH" }
    }

    static func decisions(_ base: String, limit: Int = 1000) async throws -> [[String: Any]] {
        let reply = try await API.get("\(base)/v1/decisions?target=orders&limit=\(limit)")
        guard reply.status == 200 else { throw TestFailure("GET /v1/decisions: \(reply.status) \(reply.body)") }
        return reply.json["decisions"] as? [[String: Any]] ?? []
    }

    @Test("shadow records and never PATCHes; a wrong token gets 403 and changes nothing; live makes the next tick scale; SIGTERM flushes the log", .prometheus)
    func shadowThenLive() async throws {
        try await Self.requirePrometheus(prometheusURL)
        try await FakeKubernetesAPIServer.withRunning { kube in
            await kube.addWorkload(namespace: "shop", name: "orders", replicas: 2)
            let setup = try Setup(kubeURL: kube.baseURL, prometheus: prometheusURL)
            defer { setup.remove() }
            let (child, base) = try await setup.start(jsonLogs: true)

            let shadow = try await eventually(within: 30, "three shadow decisions") {
                let rows = try await Self.decisions(base)
                return rows.count >= 3 ? rows : nil
            }
            #expect(shadow.allSatisfy { $0["mode"] as? String == "shadow" })
            #expect(shadow.allSatisfy { $0["applied"] as? Bool == false })
            #expect(shadow.first?["orchestratorAnswer"] as? String == "shadow: would scale 2→4")
            #expect(await Self.patches(kube).isEmpty, "shadow mode must never PATCH")

            let wrong = try await API.call(.POST, "\(base)/v1/targets/orders/mode", token: "wrong", body: #"{"mode":"live"}"#)
            #expect(wrong.status == 403)
            let none = try await API.call(.POST, "\(base)/v1/targets/orders/mode", body: #"{"mode":"live"}"#)
            #expect(none.status == 401)
            let still = try await API.get("\(base)/v1/targets/orders")
            #expect((still.json["summary"] as? [String: Any])?["mode"] as? String == "shadow")
            let countBefore = try await Self.decisions(base).count
            _ = try await eventually(within: 10, "two more ticks") { try await Self.decisions(base).count >= countBefore + 2 ? true : nil }
            #expect(await Self.patches(kube).isEmpty, "a refused switch must change nothing")

            let live = try await API.call(.POST, "\(base)/v1/targets/orders/mode", token: Self.token, body: #"{"mode":"live"}"#)
            #expect(live.status == 200)
            let scaled = try await eventually(within: 15, "the scale PATCHed to 4") {
                await kube.workload(namespace: "shop", name: "orders")?.replicas == 4 ? true : nil
            }
            #expect(scaled)
            let rows = try await Self.decisions(base)
            #expect(rows.contains { $0["mode"] as? String == "live" && $0["orchestratorAnswer"] as? String == "scaled 2→4" })
            #expect(await Self.patches(kube).count == 1)
            // Each tick read the Deployment from the watch of its namespace, not with a GET (at most
            // the first tick or two, before the LIST, read with one).
            let requests = await kube.requests()
            #expect(requests.contains { $0.path == "/apis/apps/v1/namespaces/shop/deployments" && ($0.query ?? "").contains("watch=1") })
            let objectReads = requests.filter { $0.method == "GET" && $0.path == "/apis/apps/v1/namespaces/shop/deployments/orders" }.count
            #expect(objectReads <= 2, "\(objectReads) GETs of the Deployment over \(rows.count) ticks")

            let detail = try await API.get("\(base)/v1/targets/orders")
            #expect(detail.status == 200)
            let audit = detail.json["audit"] as? [[String: Any]] ?? []
            #expect(audit.contains { ($0["detail"] as? String) == "mode shadow → live" && ($0["actor"] as? String) == "api" })

            // Reload: a broken file is rejected and shown, the old config keeps running; a good one
            // (or SIGHUP) is taken.
            let good = try String(contentsOfFile: setup.configPath, encoding: .utf8)
            try good.replacingOccurrences(of: "interval: 1s", with: "interval: soon").write(toFile: setup.configPath, atomically: true, encoding: .utf8)
            let rejected = try await eventually(within: 15, "the rejected reload in the status") {
                let status = try await API.get("\(base)/v1/status").json
                return status["configError"] as? String
            }
            #expect(rejected.contains("controller.interval"))
            #expect(try await API.get("\(base)/v1/status").json["configGeneration"] as? Int == 1)
            try good.write(toFile: setup.configPath, atomically: true, encoding: .utf8)
            _ = try await eventually(within: 15, "generation 2 after the file was fixed") {
                let status = try await API.get("\(base)/v1/status").json
                return status["configGeneration"] as? Int == 2 && status["configError"] == nil ? true : nil
            }
            child.signal(SIGHUP)
            _ = try await eventually(within: 15, "generation 3 after SIGHUP") {
                try await API.get("\(base)/v1/status").json["configGeneration"] as? Int == 3 ? true : nil
            }

            child.signal(SIGTERM)
            #expect(try await child.waitForExit(within: 20) == 0)
            // --log-format json: every line on stderr is a JSON object with a level and a message.
            let logLines = child.stderr.split(separator: "\n")
            #expect(!logLines.isEmpty)
            for line in logLines {
                let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                #expect(object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
            }
            let seen = try await Self.decisionIDs(rows)
            let log = try DecisionLog.open(path: setup.logPath, retentionSeconds: 86_400)
            defer { try? log.close() }
            let stored = try log.decisions(DecisionQuery(target: "orders", limit: 1000)).decisions.compactMap(\.id)
            #expect(Set(seen).isSubset(of: Set(stored)))
            #expect(stored.count >= rows.count)
        }
    }

    static func decisionIDs(_ rows: [[String: Any]]) async throws -> [Int64] {
        rows.compactMap { ($0["id"] as? NSNumber)?.int64Value }
    }

    @Test("after SIGKILL every acknowledged decision is in the log, mode and override are kept, and backfill warms the forecaster within one tick", .prometheus)
    func killAndRestart() async throws {
        try await Self.requirePrometheus(prometheusURL)
        try await FakeKubernetesAPIServer.withRunning { kube in
            await kube.addWorkload(namespace: "shop", name: "orders", replicas: 2)
            // A rate that Prometheus can evaluate at any past time: backfill finds a week of history.
            let setup = try Setup(
                kubeURL: kube.baseURL, prometheus: prometheusURL, arrivalRate: "150 + 40 * sin(vector(time()) / 3600)")
            defer { setup.remove() }
            let (first, base) = try await setup.start()
            #expect(try await API.call(.POST, "\(base)/v1/targets/orders/mode", token: Self.token, body: #"{"mode":"live"}"#).status == 200)
            let override = try await API.call(
                .POST, "\(base)/v1/targets/orders/override", token: Self.token,
                body: #"{"kind":"pauseScaleDown","duration":"1h","reason":"restart test"}"#)
            #expect(override.status == 200)
            let acknowledged = try await eventually(within: 30, "five acknowledged decisions") {
                let rows = try await Self.decisions(base)
                return rows.count >= 5 ? rows : nil
            }
            first.signal(SIGKILL)
            _ = try await first.waitForExit(within: 10)

            let (second, base2) = try await setup.start()
            defer { second.signal(SIGTERM) }
            let after = try await eventually(within: 30, "a decision after the restart") {
                let rows = try await Self.decisions(base2)
                return rows.count > acknowledged.count ? rows : nil
            }
            let ids = Set(after.compactMap { ($0["id"] as? NSNumber)?.int64Value })
            #expect(Set(try await Self.decisionIDs(acknowledged)).isSubset(of: ids), "a decision acknowledged before the kill is missing")
            let summary = try await API.get("\(base2)/v1/targets/orders").json["summary"] as? [String: Any] ?? [:]
            #expect(summary["mode"] as? String == "live")
            #expect(summary["modeSource"] as? String == "target")
            #expect((summary["override"] as? [String: Any])?["kind"] as? String == "pauseScaleDown")
            // The first decision of the new process (the newest rows come first) already has a forecast.
            let firstAfterRestart = after.filter { row in
                !acknowledged.contains { ($0["id"] as? NSNumber) == (row["id"] as? NSNumber) }
            }.last
            #expect(firstAfterRestart?["forecast"] != nil, "the forecaster should be warm from backfill at the first tick")
            #expect(firstAfterRestart?["model"] as? String != nil)
            second.signal(SIGTERM)
            #expect(try await second.waitForExit(within: 20) == 0)
        }
    }

    @Test(
        "with Prometheus stopped the target holds its count, the status shows the failure kind, nothing scales down; decisions resume when it returns",
        .enabled("needs /usr/bin/prometheus (scripts/services/install.sh); under CI=true it must be there") {
            isCI || FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus")
        })
    func prometheusStops() async throws {
        let binary = "/usr/bin/prometheus"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing: install it with scripts/services/install.sh")
        let port = try freePort()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-prom-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "global: { scrape_interval: 15s }\n".write(toFile: "\(dir)/prometheus.yml", atomically: true, encoding: .utf8)
        let url = "http://127.0.0.1:\(port)"
        func startPrometheus() async throws -> ChildProcess {
            let child = try ChildProcess(
                URL(fileURLWithPath: binary),
                ["--config.file=\(dir)/prometheus.yml", "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.path=\(dir)/data"],
                stderrPath: "\(dir)/prometheus-\(UUID().uuidString.prefix(8)).log")
            _ = try await eventually(within: 30, "Prometheus ready on \(port)") { await reachable(url + "/-/ready") ? true : nil }
            return child
        }
        var prometheus = try await startPrometheus()
        try await FakeKubernetesAPIServer.withRunning { kube in
            await kube.addWorkload(namespace: "shop", name: "orders", replicas: 2)
            let setup = try Setup(kubeURL: kube.baseURL, prometheus: url, mode: "live")
            defer { setup.remove() }
            let (child, base) = try await setup.start()
            defer { child.signal(SIGTERM) }
            _ = try await eventually(within: 20, "scaled to 4") {
                await kube.workload(namespace: "shop", name: "orders")?.replicas == 4 ? true : nil
            }
            prometheus.signal(SIGTERM)
            _ = try await prometheus.waitForExit(within: 20)

            let failing = try await eventually(within: 20, "the failure in the status") {
                let summary = try await API.get("\(base)/v1/targets/orders").json["summary"] as? [String: Any] ?? [:]
                let failure = summary["lastFailure"] as? [String: Any]
                return (summary["consecutiveFailures"] as? Int ?? 0) >= 3 && failure != nil ? summary : nil
            }
            let failure = failing["lastFailure"] as? [String: Any] ?? [:]
            #expect(failure["stage"] as? String == "source")
            #expect(["connection", "timeout"].contains(failure["kind"] as? String ?? ""), "kind: \(failure)")
            #expect(["holding", "fallback"].contains(failing["safety"] as? String ?? ""))
            #expect(await kube.workload(namespace: "shop", name: "orders")?.replicas == 4, "a failed metric must never scale down")
            #expect(await Self.patches(kube).allSatisfy { !$0.bodyText.contains("\"replicas\":1") && !$0.bodyText.contains("\"replicas\":2") })

            prometheus = try await startPrometheus()
            let resumed = try await eventually(within: 30, "decisions resume") {
                let rows = try await Self.decisions(base, limit: 1)
                guard let row = rows.first, row["safety"] as? String == "normal",
                      (row["fetchErrors"] as? [String: Any] ?? [:]).isEmpty else { return nil as [String: Any]? }
                return row
            }
            #expect(resumed["finalReplicas"] as? Int == 4)
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(within: 20) == 0)
            prometheus.signal(SIGTERM)
            _ = try? await prometheus.waitForExit(within: 20)
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when Prometheus answers, and always under CI=true (where a missing server then
    /// fails it); otherwise it shows as skipped, not passed.
    static var prometheus: Self {
        .enabled("Prometheus not reachable (scripts/services/start.sh; under CI=true this fails)") {
            isCI ? true : await reachable(prometheusURL + "/-/ready")
        }
    }
}
