import Foundation
@testable import Forecast

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
