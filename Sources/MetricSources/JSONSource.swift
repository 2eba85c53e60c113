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
    public let clock: WallClock

    public init(settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: WallClock = .system) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        guard case .json(let query) = request.query else { return wrongQuery(request) }
        return await timed { await fetch(query, request: request, deadline: deadline) }
    }

    private func fetch(_ query: JSONQuery, request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        do {
            _ = try JSONPointer.tokens(query.pointer)
        } catch {
            return MetricReading(outcome: .failed(error))
        }
        let reply: HTTPReply
        switch await transport.get(settings.endpoint, path: query.path, deadline: deadline) {
        case .failure(let error): return MetricReading(outcome: .failed(error))
        case .success(let r): reply = r
        }
        var reading = MetricReading(outcome: .empty(""), attempts: reply.attempts)
        guard reply.isSuccess else {
            reading.outcome = .failed(
                FetchError(.httpStatus, "answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
            return reading
        }
        let doc: JSONValue
        switch JSONValue.parse(reply.body, from: "the JSON endpoint") {
        case .failure(let error):
            reading.outcome = .failed(error)
            return reading
        case .success(let d): doc = d
        }
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
        let now = clock.now()
        reading.outcome = ValueCheck.outcome(
            number, timestamp: now, now: now, staleAfter: nil, nonNegative: request.nonNegative, what: what)
        return reading
    }
}
