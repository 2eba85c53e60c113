/// The replicas, the FIFO queue and the running score of one simulation.
struct RunState {
    let scenario: Scenario
    let warmup: Int
    var ready: Int
    /// Seconds at which the replicas still starting begin to consume, oldest first.
    var starting: [Int] = []
    var pausedUntil = 0
    var queue = MessageQueue()
    var arrivedTotal = 0.0
    var processedTotal = 0.0
    var score: ScoreAccumulator
    /// A wake-up from zero (its second) whose first message has not been served yet.
    var pendingWake: Int?

    init(scenario: Scenario, initialReplicas: Int, warmup: Int) {
        self.scenario = scenario
        self.warmup = warmup
        self.ready = initialReplicas
        self.score = ScoreAccumulator(slo: scenario.sloSeconds)
    }

    /// Replicas billed: ready plus starting.
    var desired: Int { ready + starting.count }

    /// Applies a controller's answer at `second`. New replicas consume after the start-up time;
    /// a scale-down removes replicas still starting first, then consuming ones (a rebalance).
    mutating func scale(to target: Int, at second: Int) {
        let target = min(max(target, scenario.minReplicas), scenario.maxReplicas)
        guard target != desired else { return }
        if second >= warmup { score.actions += 1 }
        if desired == 0 {
            if let pending = pendingWake, pending >= warmup { score.wakeUps.append(WakeUp(second: pending, firstMessageDelaySeconds: nil)) }
            pendingWake = second
        } else if target == 0, let pending = pendingWake {
            // Asleep again before a message was served: a wake-up for nothing.
            if pending >= warmup { score.wakeUps.append(WakeUp(second: pending, firstMessageDelaySeconds: nil)) }
            pendingWake = nil
        }
        if target > desired {
            for _ in 0..<(target - desired) { starting.append(second + scenario.startupSeconds) }
            return
        }
        var remove = desired - target
        while remove > 0, !starting.isEmpty {
            starting.removeLast()
            remove -= 1
        }
        if remove > 0 {
            ready -= remove
            pausedUntil = max(pausedUntil, second + scenario.rebalancePauseSeconds)
        }
    }

    /// One second: replicas that finished starting join (a rebalance), messages arrive, the
    /// consuming replicas drain the queue unless the group is paused.
    mutating func step(second: Int, arrivals: Double, capacity: Double) {
        var joined = false
        while let first = starting.first, first <= second {
            starting.removeFirst()
            ready += 1
            joined = true
        }
        if joined { pausedUntil = max(pausedUntil, second + scenario.rebalancePauseSeconds) }
        if second >= warmup {
            score.replicaSeconds += Double(desired)
            score.arrived += arrivals
        }
        queue.push(second: second, mass: arrivals)
        arrivedTotal += arrivals
        let work = second < pausedUntil ? 0 : capacity * Double(ready)
        if let pending = pendingWake, work > 0, let oldest = queue.oldestSecond {
            // The first message the woken group serves: how long it waited.
            if pending >= warmup { score.wakeUps.append(WakeUp(second: pending, firstMessageDelaySeconds: Double(second - oldest))) }
            pendingWake = nil
        }
        let served = queue.serve(work, at: second, scoringFrom: warmup, into: &score)
        processedTotal += served
    }

    func result(end: Int, capacity: Double, name: String) -> RunResult {
        var score = score
        if let pending = pendingWake, pending >= warmup {
            score.wakeUps.append(WakeUp(second: pending, firstMessageDelaySeconds: queue.oldestSecond.map { Double(end - $0) }))
        }
        queue.chargeUnserved(end: end, scoringFrom: warmup, into: &score)
        return score.result(name: name, capacity: capacity, scoredSeconds: max(end - warmup, 0))
    }
}

/// A FIFO of message mass by arrival second.
struct MessageQueue {
    private var seconds: [Int] = []
    private var masses: [Double] = []
    private var head = 0
    private(set) var total = 0.0

    /// When the oldest message still waiting arrived, if any waits.
    var oldestSecond: Int? { head < seconds.count && total > 0 ? seconds[head] : nil }

    mutating func push(second: Int, mass: Double) {
        guard mass > 0 else { return }
        seconds.append(second)
        masses.append(mass)
        total += mass
    }

    /// Serves up to `work` messages oldest first; a message served at `at` that arrived at `s`
    /// waited `at - s` seconds. Returns what was served.
    mutating func serve(_ work: Double, at: Int, scoringFrom warmup: Int, into score: inout ScoreAccumulator) -> Double {
        var left = work
        var served = 0.0
        while left > 0, head < masses.count {
            let take = min(left, masses[head])
            if seconds[head] >= warmup { score.record(delay: at - seconds[head], mass: take) }
            masses[head] -= take
            left -= take
            served += take
            if masses[head] <= 1e-12 { head += 1 }
        }
        // Empty is empty: no floating-point dust left in the total (a lag of 1e-12 would read as
        // a waiting message, and keep a target that scales to zero awake).
        total = head >= masses.count ? 0 : max(total - served, 0)
        if head > 4096, head * 2 > masses.count {
            seconds.removeFirst(head)
            masses.removeFirst(head)
            head = 0
        }
        return served
    }

    /// Messages still waiting at the end have waited until then.
    func chargeUnserved(end: Int, scoringFrom warmup: Int, into score: inout ScoreAccumulator) {
        for index in head..<masses.count where seconds[index] >= warmup && masses[index] > 0 {
            score.record(delay: end - seconds[index], mass: masses[index])
        }
    }
}
