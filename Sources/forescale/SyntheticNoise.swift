import Foundation

/// Deterministic noise for the benchmarks' synthetic series (SplitMix64, as
/// `ForescaleTestKit.SplitMix64`, which the binary does not link): the same numbers on every run
/// and platform.
struct SyntheticNoise {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Uniform in (0, 1).
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992
    }

    /// Standard normal (Box–Muller; two uniforms per value).
    mutating func normal() -> Double {
        let u = uniform(), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
