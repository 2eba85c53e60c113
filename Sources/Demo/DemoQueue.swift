import Planner
import Simulation

/// The simulated consumer group behind the demo: a queue fed by a real trace, drained by
/// replicas that become ready `startupSeconds` after they are asked for. Stepped one second at a
/// time up to the clock's "now" (lazily, whenever someone looks).
struct DemoQueue: Sendable {
    let arrivals: [Double]
    /// Unix seconds of `arrivals[0]`.
    let start: Double
    let capacityPerReplica: Double
    let startupSeconds: Int
    let rateWindow: Int

    private(set) var second = 0
    private(set) var backlog = 0.0
    private(set) var desired: Int
    private(set) var ready: Int
    private var pending: [(readyAt: Int, count: Int)] = []
    private var arrivedWindow: [Double]
    private var processedWindow: [Double]
    private(set) var arrivedTotal = 0.0
    private(set) var processedTotal = 0.0
    /// Replica-seconds of the desired count, and seconds a message would wait over the SLO.
    private(set) var replicaSeconds = 0.0

    init(arrivals: [Double], start: Double, capacityPerReplica: Double, startupSeconds: Int, replicas: Int, rateWindow: Int = 60) {
        self.arrivals = arrivals
        self.start = start
        self.capacityPerReplica = capacityPerReplica
        self.startupSeconds = startupSeconds
        self.rateWindow = rateWindow
        self.desired = replicas
        self.ready = replicas
        self.arrivedWindow = Array(repeating: 0, count: rateWindow)
        self.processedWindow = Array(repeating: 0, count: rateWindow)
    }

    var now: Double { start + Double(second) }
    var finished: Bool { second >= arrivals.count }

    /// Steps to `time` (Unix seconds), at most to the end of the trace. `each` runs after every second.
    mutating func advance(to time: Double, each: (inout DemoQueue) -> Void = { _ in }) {
        let target = min(arrivals.count, Int((time - start).rounded(.down)))
        while second < target {
            while let first = pending.first, first.readyAt <= second {
                ready += first.count
                pending.removeFirst()
            }
            let arrived = arrivals[second]
            backlog += arrived
            let processed = min(backlog, Double(ready) * capacityPerReplica)
            backlog -= processed
            arrivedTotal += arrived
            processedTotal += processed
            arrivedWindow[second % rateWindow] = arrived
            processedWindow[second % rateWindow] = processed
            replicaSeconds += Double(desired)
            second += 1
            each(&self)
        }
    }

    /// Asks for `replicas`: new ones are ready after the start-up time; a scale-down stops the
    /// ones still starting first, then ready ones, at once.
    mutating func scale(to replicas: Int) {
        let replicas = max(0, replicas)
        if replicas > desired {
            pending.append((second + startupSeconds, replicas - desired))
        } else if replicas < desired {
            var remove = desired - replicas
            while remove > 0, let last = pending.last {
                let take = min(remove, last.count)
                remove -= take
                if take == last.count { pending.removeLast() } else { pending[pending.count - 1].count -= take }
            }
            ready = max(0, ready - remove)
        }
        desired = replicas
    }

    /// Messages per second over the last `rateWindow` seconds.
    var arrivalRate: Double { arrivedWindow.reduce(0, +) / Double(min(max(second, 1), rateWindow)) }
    var throughput: Double { processedWindow.reduce(0, +) / Double(min(max(second, 1), rateWindow)) }

    /// What a metrics system would report now.
    var observation: Observation {
        Observation(
            lag: Sample(backlog), arrivalRate: Sample(arrivalRate), throughput: Sample(throughput),
            readyReplicas: Sample(ready), desiredReplicas: Sample(desired))
    }

    /// The arrival rate per minute before the demo's start, for backfill: `(time, rate)` per minute.
    static func history(of trace: Trace, before start: Double) -> [(time: Double, rate: Double)] {
        zip(trace.timestamps, trace.counts)
            .filter { $0.0 < start }
            .map { (time: $0.0, rate: $0.1 / trace.interval) }
    }
}
