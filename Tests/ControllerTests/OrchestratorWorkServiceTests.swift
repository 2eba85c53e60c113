@testable import Controller
import Logging
import Orchestrators
import Synchronization
import Testing

@Suite("Orchestrator background work")
struct OrchestratorWorkServiceTests {
    /// Records that it started, reports a note, and runs until cancelled.
    final class Work: OrchestratorBackgroundWork {
        let workDescription: String
        let events = Mutex<[String]>([])
        init(_ name: String) { workDescription = name }

        func run(report: @escaping @Sendable (BackgroundNote) -> Void) async {
            events.withLock { $0.append("started") }
            report(BackgroundNote(.warning, "hello"))
            while !Task.isCancelled { await Task.yield() }
            events.withLock { $0.append("cancelled") }
        }
    }

    @Test("runs each piece of work as it arrives, even after start, and cancels them all when it stops")
    func runsAndCancels() async throws {
        let (stream, continuation) = AsyncStream<any OrchestratorBackgroundWork>.makeStream()
        let first = Work("watch"), second = Work("pool")
        continuation.yield(first)
        let service = OrchestratorWorkService(work: stream, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            while first.events.withLock({ $0 }) != ["started"] { await Task.yield() }
            continuation.yield(second)  // e.g. a config reload added a pool
            while second.events.withLock({ $0 }) != ["started"] { await Task.yield() }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(first.events.withLock { $0 } == ["started", "cancelled"])
        #expect(second.events.withLock { $0 } == ["started", "cancelled"])
    }
}
