import Foundation
import NIOCore
import Planner

/// Any HTTP endpoint that answers JSON: `GET {url}{path}`, the number at an RFC 6901 pointer.
///
/// A number, or a string holding a number (`"42"`), is a value; `null` is `empty`; anything else
/// (object, array, boolean, text) is a decode error naming the pointer.
public struct JSONSource: MetricSource {
    public let settings: SourceSettings
    public let transport: HTTPTransport
    public let clock: any ControlClock

    public init(settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock()) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        await read([request], deadline: deadline)[0]
    }

    /// One GET per distinct path: values at several pointers of one document share the fetch (and
    /// its latency and attempts); each pointer resolves, or fails, on its own.
    public func read(_ requests: [MetricRequest], deadline: NIODeadline) async -> [MetricReading] {
        var readings = [MetricReading?](repeating: nil, count: requests.count)
        var byPath: [(path: String, indices: [Int])] = []
        for (index, request) in requests.enumerated() {
            guard case .json(let query) = request.query else {
                readings[index] = wrongQuery(request)
                continue
            }
            do {
                _ = try JSONPointer.tokens(query.pointer)
            } catch {
                readings[index] = MetricReading(outcome: .failed(error))
                continue
            }
            if let slot = byPath.firstIndex(where: { $0.path == query.path }) {
                byPath[slot].indices.append(index)
            } else {
                byPath.append((query.path, [index]))
            }
        }
        let fetched: [Fetched]
        if byPath.count == 1, let only = byPath.first {
            fetched = [await document(only.path, indices: only.indices, deadline: deadline)]
        } else {
            fetched = await withTaskGroup(of: Fetched.self) { group in
                for (path, indices) in byPath {
                    group.addTask { await document(path, indices: indices, deadline: deadline) }
                }
                var all: [Fetched] = []
                for await one in group { all.append(one) }
                return all
            }
        }
        for one in fetched {
            for index in one.indices {
                guard case .json(let query) = requests[index].query else { continue }
                var reading: MetricReading
                switch one.document {
                case .failure(let error): reading = MetricReading(outcome: .failed(error), attempts: one.attempts)
                case .success(let doc): reading = value(in: doc, query: query, request: requests[index], attempts: one.attempts)
                }
                reading.latencySeconds = one.latencySeconds
                readings[index] = reading
            }
        }
        return readings.map { $0! }
    }

    /// One fetched document and the requests that read from it.
    private struct Fetched: Sendable {
        var indices: [Int]
        var document: Result<JSONValue, FetchError>
        var attempts: Int
        var latencySeconds: Double
    }

    /// GETs and parses one document, timed.
    private func document(_ path: String, indices: [Int], deadline: NIODeadline) async -> Fetched {
        let clock = ContinuousClock()
        let start = clock.now
        var fetched = Fetched(indices: indices, document: .failure(FetchError(.decode, "not fetched")), attempts: 1, latencySeconds: 0)
        switch await transport.get(settings.endpoint, path: path, deadline: deadline) {
        case .failure(let error):
            fetched.document = .failure(error)
        case .success(let reply):
            fetched.attempts = reply.attempts
            fetched.document = reply.isSuccess
                ? JSONValue.parse(reply.body, from: "the JSON endpoint")
                : .failure(FetchError(.httpStatus, "answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
        }
        let elapsed = clock.now - start
        fetched.latencySeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return fetched
    }

    /// The number at the query's pointer in a fetched document.
    private func value(in doc: JSONValue, query: JSONQuery, request: MetricRequest, attempts: Int) -> MetricReading {
        var reading = MetricReading(outcome: .empty(""), attempts: attempts)
        let found: JSONValue
        do {
            found = try JSONPointer.resolve(query.pointer, in: doc)
        } catch {
            reading.outcome = .failed(error)
            return reading
        }
        let what = "value at \(query.pointer.isEmpty ? "(whole document)" : query.pointer)"
        let number: Double
        switch found {
        case .number(let n): number = n
        case .string(let s):
            guard let n = PrometheusSource.parseValue(s.trimmingCharacters(in: .whitespaces)) else {
                reading.outcome = .failed(FetchError(.decode, "\(what) is the text \"\(s.prefix(60))\", not a number"))
                return reading
            }
            number = n
        case .null:
            reading.outcome = .empty("\(what) is null")
            return reading
        default:
            reading.outcome = .failed(FetchError(.decode, "\(what) is a \(found.typeName), not a number"))
            return reading
        }
        reading.outcome = .value(number, timestamp: clock.unixNow)
        return reading
    }
}
