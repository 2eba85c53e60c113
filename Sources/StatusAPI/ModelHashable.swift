import Controller
import Pipeline

// The generated operation outputs are Hashable, so the model types they carry (the generator
// config's typeOverrides) must be too. Each hashes a few identifying properties: equal values
// (Equatable compares every property) always hash equally.

extension StatusSnapshot: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(configGeneration)
        hasher.combine(ticks)
        hasher.combine(targets.count)
    }
}

extension TargetSummary: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension TargetDetail: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(summary) }
}

extension TargetSeries: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(target)
        hasher.combine(points.count)
    }
}

extension TargetOverride: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(replicas)
    }
}
