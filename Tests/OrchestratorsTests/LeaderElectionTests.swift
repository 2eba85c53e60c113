import ForescaleTestKit
import Foundation
import NIOConcurrencyHelpers
@testable import Orchestrators
import Testing

@Suite("Leader election")
struct LeaderElectionTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func machine(_ identity: String) -> LeaderElectionMachine {
        LeaderElectionMachine(settings: LeaderElectionSettings(identity: identity), leaseNamespace: "forescale", leaseName: "leader")
    }

    func stored(_ lease: Lease, version: String) -> Lease {
        var lease = lease
        lease.metadata.resourceVersion = version
        return lease
    }

    @Test func acquiresAnAbsentLease() throws {
        var m = machine("a")
        #expect(m.event(.tick, now: Self.t0) == .read)
        guard case .create(let lease) = m.event(.read(nil), now: Self.t0) else { Issue.record("expected create"); return }
        #expect(lease.spec.holderIdentity == "a")
        #expect(lease.spec.leaseDurationSeconds == 15)
        #expect(lease.spec.acquireTime == "2027-01-15T08:00:00.000000Z")
        #expect(lease.spec.renewTime == lease.spec.acquireTime)
        #expect(lease.spec.leaseTransitions == 0)
        #expect(m.event(.written(stored(lease, version: "1")), now: Self.t0) == .wait(seconds: 2))
        #expect(m.isLeader(at: Self.t0))
        #expect(m.leaderIdentity == "a")
    }

    @Test func followerWaitsUntilTheLeaseIsUnchangedForALeaseDuration() throws {
        let held = Lease(metadata: .init(name: "leader", namespace: "forescale", resourceVersion: "7"),
            spec: .init(
                holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: MicroTime.format(Self.t0), renewTime: MicroTime.format(Self.t0), leaseTransitions: 0
            ))
        var b = machine("b")
        _ = b.event(.tick, now: Self.t0)
        #expect(b.event(.read(held), now: Self.t0) == .wait(seconds: 2))
        _ = b.event(.tick, now: Self.t0 + 14)
        #expect(b.event(.read(held), now: Self.t0 + 14) == .wait(seconds: 2))
        #expect(!b.isLeader(at: Self.t0 + 14))
        _ = b.event(.tick, now: Self.t0 + 15)
        guard case .update(let takeover) = b.event(.read(held), now: Self.t0 + 15) else { Issue.record("expected update"); return }
        #expect(takeover.spec.holderIdentity == "b")
        #expect(takeover.spec.leaseTransitions == 1)
        #expect(takeover.metadata.resourceVersion == "7")
        #expect(takeover.spec.acquireTime == MicroTime.format(Self.t0 + 15))
    }

    @Test func renewKeepsAcquireTimeAndTransitions() throws {
        var a = machine("a")
        _ = a.event(.tick, now: Self.t0)
        guard case .create(let created) = a.event(.read(nil), now: Self.t0) else { Issue.record("expected a create of the free lease"); return }
        let first = stored(created, version: "1")
        _ = a.event(.written(first), now: Self.t0)
        _ = a.event(.tick, now: Self.t0 + 2)
        guard case .update(let renewed) = a.event(.read(first), now: Self.t0 + 2) else { Issue.record("expected renew"); return }
        #expect(renewed.spec.acquireTime == created.spec.acquireTime)
        #expect(renewed.spec.renewTime == MicroTime.format(Self.t0 + 2))
        #expect(renewed.spec.leaseTransitions == 0)
    }

    @Test func leaderStepsDownWhenRenewFailsPastTheDeadline() throws {
        var a = machine("a")
        _ = a.event(.tick, now: Self.t0)
        guard case .create(let created) = a.event(.read(nil), now: Self.t0) else { Issue.record("expected a create of the free lease"); return }
        _ = a.event(.written(stored(created, version: "1")), now: Self.t0)
        let outage = OrchestratorError(.connection, "down")
        for second in stride(from: 2.0, through: 8, by: 2) {
            _ = a.event(.tick, now: Self.t0 + second)
            _ = a.event(.failed(outage), now: Self.t0 + second)
            #expect(a.isLeader(at: Self.t0 + second))
        }
        _ = a.event(.tick, now: Self.t0 + 10)
        _ = a.event(.failed(outage), now: Self.t0 + 10)
        #expect(!a.isLeader(at: Self.t0 + 10))
        #expect(a.lastError == outage)
    }

    @Test func settingsAreValidated() {
        #expect(throws: OrchestratorError.self) { try LeaderElectionSettings(identity: "").validate() }
        #expect(throws: OrchestratorError.self) { try LeaderElectionSettings(identity: "a", leaseDurationSeconds: 10, renewDeadlineSeconds: 10).validate() }
        #expect(throws: Never.self) { try LeaderElectionSettings(identity: "a").validate() }
    }

    @Test func microTimeRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_800_000_000.123456)
        let text = MicroTime.format(date)
        #expect(text == "2027-01-15T08:00:00.123456Z")
        #expect(abs((MicroTime.parse(text) ?? .distantPast).timeIntervalSince(date)) < 0.001)
    }

    /// Two electors share the fake API server and a manual clock. `a` leads, then is killed (stops
    /// renewing); `b` leads within one lease duration, and no observed instant has two leaders.
    @Test func handOverWhenTheLeaderDies() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { server, client in
            let store = client.leaseStore(namespace: "forescale", name: "forescale-leader")
            let a = try LeaderElector(
                settings: LeaderElectionSettings(identity: "a"), store: store, namespace: "forescale", name: "forescale-leader", clock: clock)
            let b = try LeaderElector(
                settings: LeaderElectionSettings(identity: "b"), store: store, namespace: "forescale", name: "forescale-leader", clock: clock)
            var alive: [LeaderElector] = [a, b]

            func leaders() async -> [String] {
                var names: [String] = []
                for elector in alive where await elector.isLeader { names.append(await elector.identity) }
                return names
            }

            await a.attempt()
            await b.attempt()
            #expect(await leaders() == ["a"])
            #expect(await b.leaderIdentity == "a")
            let stored = try #require(await server.lease(namespace: "forescale", name: "forescale-leader"))
            #expect(stored.spec.holderIdentity == "a")
            #expect(stored.spec.renewTime.flatMap(MicroTime.parse) != nil)

            // Normal operation: both attempt every retry period for 20 s; a stays leader.
            for _ in 0..<10 {
                clock.advance(by: 2)
                await a.attempt()
                await b.attempt()
                #expect(await leaders() == ["a"])
            }

            // a is killed: it stops renewing. b keeps trying every 2 s.
            alive = [b]
            let killedAt = clock.now()
            var tookOverAfter: Double?
            for _ in 0..<20 {
                clock.advance(by: 2)
                await b.attempt()
                let current = await leaders()
                #expect(current.count <= 1)
                if current == ["b"] {
                    tookOverAfter = clock.now().timeIntervalSince(killedAt)
                    break
                }
            }
            let after = try #require(tookOverAfter)
            #expect(after <= 15 + 2)  // a lease duration, at the retry period's granularity
            let handedOver = try #require(await server.lease(namespace: "forescale", name: "forescale-leader"))
            #expect(handedOver.spec.holderIdentity == "b")
            #expect(handedOver.spec.leaseTransitions == 1)
        }
    }

    @Test func releasedLeaseIsTakenOverAtTheNextAttempt() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { server, client in
            let store = client.leaseStore(namespace: "forescale", name: "r")
            let a = try LeaderElector(settings: LeaderElectionSettings(identity: "a"), store: store, namespace: "forescale", name: "r", clock: clock)
            let b = try LeaderElector(settings: LeaderElectionSettings(identity: "b"), store: store, namespace: "forescale", name: "r", clock: clock)
            await a.attempt()
            await b.attempt()
            #expect(await a.release())
            #expect(await !a.isLeader)
            clock.advance(by: 2)
            await b.attempt()
            #expect(await b.isLeader)
            let lease = try #require(await server.lease(namespace: "forescale", name: "r"))
            #expect(lease.spec.holderIdentity == "b")
            #expect(lease.spec.leaseDurationSeconds == 15)
            #expect(lease.spec.leaseTransitions == 1)
            #expect(await a.release() == false)  // a no longer leads: nothing to release
        }
    }

    /// A leader that is alive but cut off from the API server steps down (renew deadline, 10 s)
    /// before the follower may acquire (lease duration, 15 s): at no second are both leaders.
    @Test func partitionedLeaderStepsDownBeforeTheFollowerAcquires() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { _, client in
            let shared = client.leaseStore(namespace: "forescale", name: "l")
            let cutOff = CuttableLeaseStore(base: shared)
            let a = try LeaderElector(settings: LeaderElectionSettings(identity: "a"), store: cutOff, namespace: "forescale", name: "l", clock: clock)
            let b = try LeaderElector(settings: LeaderElectionSettings(identity: "b"), store: shared, namespace: "forescale", name: "l", clock: clock)
            await a.attempt()
            await b.attempt()
            #expect(await a.isLeader)
            cutOff.cut(true)
            var firstSecondBLeads: Int?
            for second in 1...20 {
                clock.advance(by: 1)
                if second.isMultiple(of: 2) {
                    await a.attempt()
                    await b.attempt()
                }
                let aLeads = await a.isLeader
                let bLeads = await b.isLeader
                #expect(!(aLeads && bLeads), "two leaders at second \(second)")
                if second == 10 { #expect(!aLeads) }
                if bLeads, firstSecondBLeads == nil { firstSecondBLeads = second }
            }
            #expect(firstSecondBLeads == 16)
            #expect(await a.lastError?.kind == .connection)
            #expect(await a.leaderIdentity == "a")  // a last saw itself; the status API shows what each replica knows
        }
    }

    /// Without RBAC on Leases a replica never leads; that must be said (once, with the cause),
    /// counted at every attempt, and its recovery said too.
    @Test func aLeaseThatCannotBeTouchedIsNotedOnceAndItsRecoveryToo() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { server, client in
            await server.setAllowed(["get deployments/scale"])
            let notes = NoteLog()
            let elector = try LeaderElector(
                settings: LeaderElectionSettings(identity: "a"), store: client.leaseStore(namespace: "forescale", name: "l"),
                namespace: "forescale", name: "l", clock: clock, onNote: { notes.append($0) })
            for _ in 0..<3 {
                await elector.attempt()
                clock.advance(by: 2)
            }
            #expect(await !elector.isLeader)
            #expect(await elector.consecutiveFailures == 3)
            #expect(await elector.failure?.kind == .forbidden)
            let failing = notes.values.compactMap { note -> (OrchestratorError, String, Int)? in
                if case .leaseFailing(let error, let description, let consecutive) = note { return (error, description, consecutive) }
                return nil
            }
            #expect(failing.count == 1, "said once, not at every attempt: \(failing)")
            #expect(failing.first?.0.kind == .forbidden)
            #expect(failing.first?.0.message.contains("leases") == true, "\(failing.first?.0.message ?? "")")
            #expect(failing.first?.1.contains("forescale") == true)
            #expect(failing.first?.2 == 1)
            let failedAttempts = notes.values.filter { if case .attempted(let failure?) = $0 { failure.kind == .forbidden } else { false } }
            #expect(failedAttempts.count == 3)

            await server.setAllowed(nil)
            await elector.attempt()
            #expect(await elector.isLeader)
            #expect(await elector.consecutiveFailures == 0)
            #expect(await elector.failure == nil)
            #expect(notes.values.contains { if case .leaseRecovered(_, 3) = $0 { true } else { false } })
            #expect(notes.values.last == .leadership(leading: true, identity: "a", holder: "a"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func runLoopUsesTheInjectedClockAndReleasesAfterCancel() async throws {
        let clock = ManualClock()
        try await withKubernetes(clock: clock) { server, client in
            let store = client.leaseStore(namespace: "forescale", name: "loop")
            let changes = LeadershipLog()
            let elector = try LeaderElector(
                settings: LeaderElectionSettings(identity: "pod-1"), store: store, namespace: "forescale", name: "loop", clock: clock,
                onChange: { changes.append($0) })
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await elector.run() }
                #expect(await clock.waitForSleepers(1))
                #expect(await elector.isLeader)
                clock.advance(by: 2)
                #expect(await clock.waitForSleepers(1))
                group.cancelAll()
            }
            #expect(await !elector.isLeader)
            #expect(await elector.release())
            #expect(changes.values == [true, false])
            let released = try #require(await server.lease(namespace: "forescale", name: "loop"))
            #expect(released.spec.holderIdentity == "")
            #expect(clock.sleeps == [2, 2])
        }
    }
}

final class NoteLog: Sendable {
    private let box = NIOLockedValueBox<[LeaderElectionNote]>([])
    func append(_ value: LeaderElectionNote) { box.withLockedValue { $0.append(value) } }
    var values: [LeaderElectionNote] { box.withLockedValue { $0 } }
}

final class LeadershipLog: Sendable {
    private let box = NIOLockedValueBox<[Bool]>([])
    func append(_ value: Bool) { box.withLockedValue { $0.append(value) } }
    var values: [Bool] { box.withLockedValue { $0 } }
}

/// A lease store that can be cut off from the API server (a network partition for one replica).
final class CuttableLeaseStore: LeaseStore {
    let base: any LeaseStore
    private let isCut = NIOLockedValueBox(false)
    init(base: any LeaseStore) { self.base = base }
    func cut(_ value: Bool) { isCut.withLockedValue { $0 = value } }
    var leaseDescription: String { base.leaseDescription }
    private func check() throws {
        if isCut.withLockedValue({ $0 }) { throw OrchestratorError(.connection, "partitioned") }
    }
    func get() async throws -> Lease? { try check(); return try await base.get() }
    func create(_ lease: Lease) async throws -> Lease { try check(); return try await base.create(lease) }
    func update(_ lease: Lease) async throws -> Lease { try check(); return try await base.update(lease) }
}
