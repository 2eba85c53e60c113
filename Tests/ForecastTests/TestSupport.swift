import Foundation
@testable import Forecast

/// SplitMix64: a tiny deterministic generator for reproducible tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = uniform(), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

struct ParityCase: Decodable {
    let trend: String
    let damped: Bool
    let seasonal: String
    let period: Int
    let alpha: Double
    let beta: Double?
    let gamma: Double?
    let phi: Double?
    let initial_level: Double
    let initial_trend: Double?
    let initial_seasonal: [Double]
    let fitted: [Double]
    let sse: Double
    let forecast: [Double]
    let optimized: Optimized

    struct Optimized: Decodable {
        let alpha: Double
        let beta: Double?
        let gamma: Double?
        let phi: Double?
        let sse: Double
    }

    var spec: HoltWintersSpec {
        HoltWintersSpec(trend: trend == "add", damped: damped,
                        seasonal: SeasonalKind(rawValue: seasonal) ?? .none, period: period)
    }
    var label: String { "\(spec)" }
}

struct ParityFixture: Decodable {
    let name: String
    let series: [Double]
    let cases: [ParityCase]
}

enum Fixtures {
    static func url(_ name: String, _ ext: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures")
    }

    static func parity(_ name: String) throws -> ParityFixture {
        guard let u = url(name, "json") else { throw CocoaError(.fileNoSuchFile) }
        return try JSONDecoder().decode(ParityFixture.self, from: Data(contentsOf: u))
    }

    /// `timestamp,value` CSV from the fixtures folder.
    static func csv(_ name: String) throws -> [(time: Double, value: Double)] {
        guard let u = url(name, "csv") else { throw CocoaError(.fileNoSuchFile) }
        let text = try String(contentsOf: u, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let parts = line.split(separator: ",")
            guard parts.count == 2, let t = Double(parts[0]), let v = Double(parts[1]) else { return nil }
            return (t, v)
        }
    }
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(abs(b), 1e-9)
}
