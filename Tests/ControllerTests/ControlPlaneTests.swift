@testable import Controller
import DecisionStorage
import ForescaleConfig
import Pipeline
import Testing

/// Modes and overrides as values: which mode wins, when an override ends, what an override may be.
@Suite("Control plane")
struct ControlPlaneTests {
    static func config(globalMode: String = "shadow", targetMode: String? = nil) throws -> Config {
        let mode = targetMode.map { "\n    mode: \($0)" } ?? ""
        return try ConfigLoader.parse(yaml:
            """
            controller: { mode: \(globalMode) }
            sources:
              prom: { type: prometheus, url: "http://localhost:9090" }
            orchestrators:
              k8s: { type: kubernetes }
            targets:
              - name: web
                scale: { orchestrator: k8s, kind: Deployment, namespace: default, name: web }
                replicas: { min: 1, max: 20 }
                metrics:
                  lag: { source: prom, query: lag }
                  arrivalRate: { source: prom, query: rate }
                capacity: { perReplica: 50 }\(mode)
            """, file: "test.yaml").get()
    }

    @Test func theTargetsSwitchBeatsItsConfigWhichBeatsTheGlobalMode() throws {
        var plane = ControlPlane(persisted: PersistedControllerState(), config: try Self.config())
        #expect(plane.mode(of: "web") == (.shadow, "global"))
        plane.globalMode = .live
        #expect(plane.mode(of: "web") == (.live, "global"))
        plane.configure(try Self.config(targetMode: "shadow"))
        #expect(plane.mode(of: "web") == (.shadow, "config"))
        plane.targetModes["web"] = .live
        #expect(plane.mode(of: "web") == (.live, "target"))
        // A reload to a config with another controller.mode moves the global mode only while the API has not set it.
        var fresh = ControlPlane(persisted: PersistedControllerState(), config: try Self.config())
        fresh.configure(try Self.config(globalMode: "live"))
        #expect(fresh.effectiveGlobalMode == .live)
    }

    @Test func anOverrideEndsAtItsTimeAndIsTakenOnce() throws {
        let target = try #require(try Self.config().targets.first)
        let pin = try ControlPlane.override(OverrideRequest(kind: .pin, replicas: 7, duration: "30m"), on: target, now: 1000)
        #expect(pin.untilSeconds == 1000 + 1800)
        var plane = ControlPlane(persisted: PersistedControllerState(overrides: ["web": pin]), config: try Self.config())
        #expect(plane.activeOverride("web", now: 2000) == pin)
        #expect(plane.takeExpiredOverride("web", now: 2000) == nil)
        #expect(plane.takeExpiredOverride("web", now: 2800) == pin)
        #expect(plane.takeExpiredOverride("web", now: 2800) == nil)
        #expect(plane.activeOverride("web", now: 2000) == nil)
    }

    @Test(arguments: [
        (OverrideRequest(kind: .pin, replicas: 7, duration: "30s"), "duration"),
        (OverrideRequest(kind: .pin, replicas: 7, duration: "8d"), "duration"),
        (OverrideRequest(kind: .pin, duration: "30m"), "replicas"),
        (OverrideRequest(kind: .pause, replicas: 3, duration: "30m"), "replicas"),
        (OverrideRequest(kind: .pin, replicas: 21, duration: "30m"), "replicas"),
    ])
    func aBadOverrideNamesItsParameter(request: OverrideRequest, parameter: String) throws {
        let target = try #require(try Self.config().targets.first)
        let error = #expect(throws: ControlError.self) { _ = try ControlPlane.override(request, on: target, now: 0) }
        #expect(error?.parameter == parameter)
        #expect(error?.kind == (request.replicas == 21 ? .conflict : .badRequest))
    }
}
