import Controller
import ForescaleConfig
import Pipeline
import Planner
import Testing

@Suite("Safety: fallback, circuit breaker, overrides")
struct SafetyTests {
    func decision(current: Int, desired: Int, reactive: Int? = nil) -> Decision {
        Decision(
            desiredReplicas: desired, currentReplicas: current, reactiveReplicas: reactive, plannedReplicas: desired, forecast: nil,
            reasons: [], explanation: "test", inputs: DecisionInputs(observation: Observation(desiredReplicas: Sample(current)), nowSeconds: 0))
    }

    @Test("a failed tick holds decide's answer; the fallback starts after N failures and ends on success")
    func fallbackCounting() {
        var policy = SafetyPolicy()
        policy.fallbackAfter = 3
        var memory = SafetyMemory()
        #expect(Safety.noteTick(memory: &memory, failed: true, failure: "lag: timeout", policy: policy) == nil)
        #expect(Safety.noteTick(memory: &memory, failed: true, failure: "lag: timeout", policy: policy) == nil)
        let started = Safety.noteTick(memory: &memory, failed: true, failure: "lag: timeout", policy: policy)
        #expect(started?.state == .fallback)
        #expect(started?.detail.contains("3 consecutive failed ticks (lag: timeout)") == true)
        #expect(memory.fallbackActive)
        #expect(Safety.noteTick(memory: &memory, failed: true, failure: nil, policy: policy) == nil, "no second transition")
        let ended = Safety.noteTick(memory: &memory, failed: false, failure: nil, policy: policy)
        #expect(ended?.state == .normal)
        #expect(memory.consecutiveFailures == 0)
        #expect(!memory.fallbackActive)
    }

    @Test("a fixed fallback count never goes below current unless scaleDown is allowed")
    func fallbackFixedCount() {
        var policy = SafetyPolicy()
        policy.fallbackReplicas = 4
        var memory = SafetyMemory()
        memory.fallbackActive = true
        memory.consecutiveFailures = 5
        let above = Safety.finalCount(decision: decision(current: 6, desired: 6), memory: memory, tickFailed: true, override: nil, policy: policy, now: 0)
        #expect(above.replicas == 6)
        #expect(above.state == .fallback)
        let below = Safety.finalCount(decision: decision(current: 2, desired: 2), memory: memory, tickFailed: true, override: nil, policy: policy, now: 0)
        #expect(below.replicas == 4)
        policy.fallbackScaleDown = true
        let allowed = Safety.finalCount(decision: decision(current: 6, desired: 6), memory: memory, tickFailed: true, override: nil, policy: policy, now: 0)
        #expect(allowed.replicas == 4)
        policy.fallbackReplicas = nil
        let keep = Safety.finalCount(decision: decision(current: 6, desired: 7), memory: memory, tickFailed: true, override: nil, policy: policy, now: 0)
        #expect(keep.replicas == 7, "the reactive floor's raise survives a keep fallback")
    }

    @Test("overrides: pin sets, pauseScaleDown keeps at least current, pause keeps current; expired ones do nothing")
    func overrides() {
        let policy = SafetyPolicy()
        let memory = SafetyMemory()
        let pin = TargetOverride(kind: .pin, replicas: 9, untilSeconds: 100, createdAtSeconds: 0)
        #expect(
            Safety.finalCount(decision: decision(current: 3, desired: 5), memory: memory, tickFailed: false, override: pin, policy: policy, now: 50).replicas
                == 9)
        #expect(
            Safety.finalCount(decision: decision(current: 3, desired: 5), memory: memory, tickFailed: false, override: pin, policy: policy, now: 100).replicas
                == 5)
        let noDown = TargetOverride(kind: .pauseScaleDown, untilSeconds: 100, createdAtSeconds: 0)
        let down = Safety.finalCount(decision: decision(current: 6, desired: 2), memory: memory, tickFailed: false, override: noDown, policy: policy, now: 1)
        #expect(down.replicas == 6)
        #expect(down.state == .overridden)
        let up = Safety.finalCount(decision: decision(current: 6, desired: 8), memory: memory, tickFailed: false, override: noDown, policy: policy, now: 1)
        #expect(up.replicas == 8)
        #expect(up.state == .normal)
        let pause = TargetOverride(kind: .pause, untilSeconds: 100, createdAtSeconds: 0)
        #expect(
            Safety.finalCount(decision: decision(current: 6, desired: 8), memory: memory, tickFailed: false, override: pause, policy: policy, now: 1).replicas
                == 6)
    }

    @Test("the circuit opens when forecasts are worse than naive by maxError and closes after recovery")
    func circuitBreaker() {
        var policy = SafetyPolicy()
        policy.maxForecastError = 1.5
        var memory = SafetyMemory()
        var time = 0.0
        var opened: Safety.Transition?
        // The rate alternates 100/110; forecasts say 300: error ≈ 195 vs naive 10.
        for i in 0..<20 {
            let rate = i % 2 == 0 ? 100.0 : 110.0
            let forecast = ForecastInput(horizonSeconds: 15, p50: 300, upper: 400, model: "m")
            let result = Safety.judgeForecast(memory: &memory, observedRate: rate, forecast: forecast, drifting: false, policy: policy, now: time)
            if let t = result.transition { opened = t }
            time += 15
        }
        #expect(memory.circuitOpen)
        #expect(opened?.state == .reactiveOnly)
        // Good forecasts (exact) for a full window close it again.
        var closed: Safety.Transition?
        var rate = 100.0
        for _ in 0..<40 {
            let next = rate == 100 ? 110.0 : 100.0
            let forecast = ForecastInput(horizonSeconds: 15, p50: next, upper: next * 1.2, model: "m")
            let result = Safety.judgeForecast(memory: &memory, observedRate: rate, forecast: forecast, drifting: false, policy: policy, now: time)
            if let t = result.transition { closed = t }
            rate = next
            time += 15
        }
        #expect(!memory.circuitOpen)
        #expect(closed?.state == .normal)
        #expect((memory.rollingError ?? 99) < 0.5)
    }

    @Test("drift opens the circuit when tripOnDrift, and not otherwise")
    func drift() {
        var policy = SafetyPolicy()
        var memory = SafetyMemory()
        let forecast = ForecastInput(horizonSeconds: 15, p50: 100, upper: 120, model: "m")
        let tripped = Safety.judgeForecast(memory: &memory, observedRate: 100, forecast: forecast, drifting: true, policy: policy, now: 0)
        #expect(!tripped.useForecast)
        policy.tripOnDrift = false
        memory = SafetyMemory()
        let kept = Safety.judgeForecast(memory: &memory, observedRate: 100, forecast: forecast, drifting: true, policy: policy, now: 0)
        #expect(kept.useForecast)
    }

    @Test("a missing observed rate scores nothing (never read as zero)")
    func missingRate() {
        var memory = SafetyMemory()
        let forecast = ForecastInput(horizonSeconds: 15, p50: 100, upper: 120, model: "m")
        _ = Safety.judgeForecast(memory: &memory, observedRate: 100, forecast: forecast, drifting: false, policy: SafetyPolicy(), now: 0)
        _ = Safety.judgeForecast(memory: &memory, observedRate: nil, forecast: forecast, drifting: false, policy: SafetyPolicy(), now: 30)
        #expect(memory.rollingError == nil)
        _ = Safety.judgeForecast(memory: &memory, observedRate: .nan, forecast: forecast, drifting: false, policy: SafetyPolicy(), now: 45)
        #expect(memory.consecutiveFailures == 0)
    }
}
