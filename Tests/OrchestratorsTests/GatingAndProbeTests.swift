import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing

@Suite("Leader gating and probe")
struct GatingAndProbeTests {
    @Test func onlyTheLeaderApplies() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2, readyReplicas: 2)
            let store = client.leaseStore(namespace: "forescale", name: "leader")
            let a = try LeaderElector(settings: LeaderElectionSettings(identity: "a"), store: store, namespace: "forescale", name: "leader", clock: clock)
            let b = try LeaderElector(settings: LeaderElectionSettings(identity: "b"), store: store, namespace: "forescale", name: "leader", clock: clock)
            await a.attempt()
            await b.attempt()
            let base = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let onA = LeaderGatedOrchestrator(base: base, elector: a)
            let onB = LeaderGatedOrchestrator(base: base, elector: b)

            let follower = try await onB.apply(replicas: 5, decision: nil)
            #expect(follower == .notLeader)
            #expect(try await onB.currentScale().desiredReplicas == 2)  // warm standby still observes
            let leader = try await onA.apply(replicas: 5, decision: nil)
            #expect(leader == .scaled(from: 2, to: 5))
            #expect(onB.targetDescription == base.targetDescription)
            #expect(await server.requests().filter { $0.method == "PATCH" }.count == 1)
        }
    }

    @Test func probeReportsScaleOrError() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 3, readyReplicas: 1)
            let ok = await ScaleProbe.probe(client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web")))
            #expect(ok.line == "ok    kubernetes apps/v1 deployments shop/web: desired 3, ready 1")
            await server.setAllowed([])
            let denied = await ScaleProbe.probe(client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web")))
            #expect(denied.error?.kind == .forbidden)
            #expect(denied.line.hasPrefix("error kubernetes apps/v1 deployments shop/web: forbidden: 403 Forbidden on GET"))
            #expect(await server.requests().allSatisfy { $0.method == "GET" })
        }
    }

    @Test func customResourceWithoutReadyReplicasReportsUnknown() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(
                group: "workers.example.com", resource: "consumers", namespace: "shop", name: "c", replicas: 2, reportsReadyReplicas: false)
            await server.addWorkload(namespace: "shop", name: "idle", replicas: 0, reportsReadyReplicas: false)
            let target = try KubernetesTarget.custom(apiVersion: "workers.example.com/v1", resource: "consumers", namespace: "shop", name: "c")
            let custom = try await client.orchestrator(for: target).currentScale()
            #expect(custom.desiredReplicas == 2 && custom.readyReplicas == nil)
            let probe = await ScaleProbe.probe(client.orchestrator(for: target))
            #expect(probe.line.hasSuffix("desired 2, ready unknown"))
            // A Deployment omits readyReplicas when it is zero.
            let idle = try await client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "idle")).currentScale()
            #expect(idle.readyReplicas == 0)
        }
    }

    @Test("the identity is the pod's (else the host's) name with a unique suffix, so two processes of one name never share it")
    func identityComesFromThePod() {
        let pod = ["POD_NAME": "forescale-7d9-x", "HOSTNAME": "h"]
        let first = LeaderElectionSettings.defaultIdentity(environment: pod)
        let second = LeaderElectionSettings.defaultIdentity(environment: pod)
        #expect(first.hasPrefix("forescale-7d9-x_"))
        #expect(second.hasPrefix("forescale-7d9-x_"))
        #expect(first != second)
        #expect(first.count == "forescale-7d9-x_".count + 36)
        #expect(LeaderElectionSettings.defaultIdentity(environment: ["HOSTNAME": "h"]).hasPrefix("h_"))
        let bare = LeaderElectionSettings.defaultIdentity(environment: [:])
        #expect(bare != LeaderElectionSettings.defaultIdentity(environment: [:]))
        #expect(!bare.hasPrefix("_"))
    }

    @Test("two electors started with the same environment: one leads, the other follows")
    func sameEnvironmentNeverTwoLeaders() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { _, client in
            let store = client.leaseStore(namespace: "forescale", name: "same-host")
            let environment = ["HOSTNAME": "node-1"]
            let a = try LeaderElector(
                settings: LeaderElectionSettings(identity: LeaderElectionSettings.defaultIdentity(environment: environment)),
                store: store, namespace: "forescale", name: "same-host", clock: clock)
            let b = try LeaderElector(
                settings: LeaderElectionSettings(identity: LeaderElectionSettings.defaultIdentity(environment: environment)),
                store: store, namespace: "forescale", name: "same-host", clock: clock)
            await a.attempt()
            await b.attempt()
            await a.attempt()
            await b.attempt()
            #expect(await a.isLeader)
            #expect(await !b.isLeader)
        }
    }
}
