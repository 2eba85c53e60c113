import DecisionLog
import ForescaleConfig
import Foundation
import Hummingbird
import JSON
import MetricSources
import Pipeline
import Synchronization

/// `GET /healthz`.
public struct HealthBody: Sendable, Equatable, Codable {
    public var status: String
    public init(status: String) { self.status = status }
}

/// `GET /readyz`.
public struct ReadyBody: Sendable, Equatable, Codable {
    public var ready: Bool
    public init(ready: Bool) { self.ready = ready }
}

/// `GET /v1/targets`.
public struct TargetList: Sendable, Equatable, Codable {
    public var targets: [TargetSummary]
    public init(targets: [TargetSummary]) { self.targets = targets }
}

/// `GET /v1/decisions`: a `DecisionPage` with `nextCursor` always present (`null` at the end).
public struct DecisionPageBody: Sendable, Equatable, Codable {
    public var decisions: [DecisionRecord]
    public var nextCursor: String?

    public init(_ page: DecisionPage) {
        self.decisions = page.decisions
        self.nextCursor = page.nextCursor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decisions, forKey: .decisions)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `POST /v1/mode` body and answer.
public struct ModeBody: Sendable, Equatable, Codable {
    public var mode: RunMode
    public init(mode: RunMode) { self.mode = mode }
}

/// `POST /v1/targets/{name}/mode` answer.
public struct TargetModeBody: Sendable, Equatable, Codable {
    public var target: String
    public var mode: RunMode
    public init(target: String, mode: RunMode) {
        self.target = target
        self.mode = mode
    }
}

extension StatusAPI {
    /// The scorecard window of `GET /v1/targets/{name}` when `window` is not given.
    public static let defaultWindowSeconds: Double = 86_400
    /// The accepted `window` range: 1 hour to 14 days.
    public static let windowRange: ClosedRange<Double> = 3600...(14 * 86_400)
    /// The accepted override `duration` range: 1 minute to 7 days.
    public static let overrideDurationRange: ClosedRange<Double> = 60...(7 * 86_400)
    /// The accepted `limit` range of `GET /v1/decisions`.
    public static let limitRange: ClosedRange<Int> = 1...1000

    /// Authenticates, validates the query and answers one route.
    func respond(_ route: Route, request: Request, context: BasicRequestContext) async throws -> Response {
        try authorize(route, request: request)
        let query = try QueryParameters(request, allowed: route.queryParameters)
        switch route.endpoint {
        case .healthz:
            return try JSONResponse.encode(HealthBody(status: "ok"))
        case .readyz:
            let ready = await backend.isReady()
            return try JSONResponse.encode(ReadyBody(ready: ready), status: ready ? .ok : .serviceUnavailable)
        case .status:
            return try await cachedStatus()
        case .targets:
            return try JSONResponse.encode(TargetList(targets: await backend.targetSummaries()))
        case .targetDetail:
            let name = try targetName(context)
            let window = try query.duration("window", default: Self.defaultWindowSeconds, range: Self.windowRange)
            return try JSONResponse.encode(try await backend.targetDetail(name: name, scorecardWindowSeconds: window))
        case .decisions:
            let decisionQuery = try Self.decisionQuery(query)
            return try JSONResponse.encode(DecisionPageBody(try await backend.decisions(decisionQuery)))
        case .setMode:
            let mode = try await modeBody(request, context: context)
            let result = try await backend.setMode(mode, target: nil, actor: Self.actor)
            return try JSONResponse.encode(ModeBody(mode: result))
        case .setTargetMode:
            let name = try targetName(context)
            let mode = try await modeBody(request, context: context)
            let result = try await backend.setMode(mode, target: name, actor: Self.actor)
            return try JSONResponse.encode(TargetModeBody(target: name, mode: result))
        case .setOverride:
            let name = try targetName(context)
            let override = try await overrideBody(request, context: context)
            return try JSONResponse.encode(try await backend.setOverride(override, target: name, actor: Self.actor))
        case .clearOverride:
            let name = try targetName(context)
            try await backend.clearOverride(target: name, actor: Self.actor)
            return Response(status: .noContent)
        case .openAPI:
            let document = try Self.openAPIDocument()
            return Response(
                status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
        case .metrics:
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        case .series, .dashboard:
            return try await respondDashboard(route, query: query, context: context)
        }
    }

    /// The OpenAPI document shipped in the module's resources.
    public static func openAPIDocument() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources") else {
            throw APIError(.internalServerError, "openapi.yaml is missing from the Controller bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func authorize(_ route: Route, request: Request) throws {
        switch auth.verdict(for: route.access, headers: request.headers) {
        case .allowed:
            return
        case .missing:
            throw APIError(
                .unauthorized, "this route needs an Authorization: Bearer <token> header", headers: [.wwwAuthenticate: "Bearer"])
        case .wrongToken:
            throw APIError(.forbidden, "the bearer token is not valid")
        case .notConfigured:
            throw APIError(.forbidden, "no API token is configured: set controller.status.tokenFile to allow this route")
        }
    }

    private func targetName(_ context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get("name") else { throw APIError.badRequest("name", "missing target name") }
        let name = raw.removingPercentEncoding ?? raw
        guard !name.isEmpty else { throw APIError.badRequest("name", "empty target name") }
        return name
    }

    static func decisionQuery(_ query: QueryParameters) throws -> DecisionQuery {
        var result = DecisionQuery()
        if let target = try query.string("target") {
            guard !target.isEmpty else { throw APIError.badRequest("target", "target must not be empty") }
            result.target = target
        }
        // An `until` not after `since` is an empty range: an empty page, not an error (the two are
        // independent parameters in the OpenAPI document, which cannot relate them).
        result.sinceSeconds = try query.time("since")
        result.untilSeconds = try query.time("until")
        if let limit = try query.string("limit") {
            guard let value = Int(limit), Self.limitRange.contains(value) else {
                throw APIError.badRequest("limit", "limit must be an integer from 1 to 1000, not '\(limit)'")
            }
            result.limit = value
        }
        if let cursor = try query.string("cursor") {
            guard Self.isCursor(cursor) else {
                throw APIError.badRequest("cursor", "cursor must be a value returned as nextCursor")
            }
            result.cursor = cursor
        }
        return result
    }

    /// A duration as the API takes it: a whole number without leading zeros and one unit, `s`, `m`,
    /// `h` or `d` (`90m`, `24h`, `7d`), within `range` (seconds); `nil` otherwise.
    ///
    /// Narrower than the config's durations (no `ms`, fractions or `1h30m`) so that the OpenAPI
    /// document can state exactly what is accepted: its `pattern`s spell out these ranges, and a
    /// test checks them against this function.
    public static func apiDuration(_ text: String, range: ClosedRange<Double>) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 11, bytes[0] != UInt8(ascii: "0") else { return nil }
        let unitSeconds: Double
        switch bytes[bytes.count - 1] {
        case UInt8(ascii: "s"): unitSeconds = 1
        case UInt8(ascii: "m"): unitSeconds = 60
        case UInt8(ascii: "h"): unitSeconds = 3600
        case UInt8(ascii: "d"): unitSeconds = 86_400
        default: return nil
        }
        var value = 0
        for byte in bytes.dropLast() {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        let seconds = Double(value) * unitSeconds
        return range.contains(seconds) ? seconds : nil
    }

    static func durationProblem(_ name: String, _ text: String, range: ClosedRange<Double>) -> String {
        let bounds = "from \(ConfigValues.formatDuration(range.lowerBound)) to \(ConfigValues.formatDuration(range.upperBound))"
        return "\(name) must be a whole number and one unit s, m, h or d (e.g. 90m, 24h, 7d), \(bounds), not '\(text)'"
    }

    /// Whether `text` has the shape of a `nextCursor` (`TIME:ID`), as the OpenAPI document's
    /// pattern `^([0-9]{1,16}(\.[0-9]{1,20})?|[0-9](\.[0-9]{1,20})?e(-[0-9]{2,3}|\+[0-9]{2})):[0-9]{1,18}$`
    /// says: every such value is read (an unknown position gives the rows older than it), and its
    /// numbers always fit (a finite time, an id below 2^63).
    static func isCursor(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ minimum: Int, _ maximum: Int) -> Bool {
            let start = index
            while index < bytes.count, index - start < maximum, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - start >= minimum
        }
        func fraction() -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return true }
            index += 1
            return digits(1, 20)
        }
        guard digits(1, 16) else { return false }
        let integerDigits = index
        guard fraction() else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") {
            // The exponent form has one digit before the point.
            guard integerDigits == 1 else { return false }
            index += 1
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: "-") {
                index += 1
                guard digits(2, 3) else { return false }
            } else if bytes[index] == UInt8(ascii: "+") {
                index += 1
                guard digits(2, 2) else { return false }
            } else {
                return false
            }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        guard digits(1, 18) else { return false }
        return index == bytes.count
    }

    // MARK: Bodies

    private func body(_ request: Request, context: BasicRequestContext) async throws -> [String: JSONValue] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes", parameter: "body")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes", parameter: "body")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("body", "a JSON object body is required") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(buffer.readableBytesView), rejectingDuplicateKeys: true)
        } catch {
            // A duplicate key is refused too: `{"mode":"live","mode":"shadow"}` means live to a
            // reader that keeps the first and shadow to one (a proxy, an audit tool) that keeps the last.
            throw APIError.badRequest("body", "the body is not valid JSON (\(error.message))")
        }
        guard case .object(let object) = value else { throw APIError.badRequest("body", "the body must be a JSON object") }
        return object
    }

    private func modeBody(_ request: Request, context: BasicRequestContext) async throws -> RunMode {
        let object = try await body(request, context: context)
        try Self.rejectUnknownFields(object, allowed: ["mode"])
        guard let value = object["mode"], value != .null else { throw APIError.badRequest("mode", "mode is required") }
        guard case .string(let text) = value, let mode = RunMode(rawValue: text) else {
            throw APIError.badRequest("mode", "mode must be \"live\" or \"shadow\"")
        }
        return mode
    }

    private func overrideBody(_ request: Request, context: BasicRequestContext) async throws -> OverrideRequest {
        let object = try await body(request, context: context)
        try Self.rejectUnknownFields(object, allowed: ["kind", "replicas", "duration", "reason"])
        let kinds = TargetOverride.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kindValue = object["kind"], kindValue != .null else { throw APIError.badRequest("kind", "kind is required (\(kinds))") }
        guard case .string(let kindText) = kindValue, let kind = TargetOverride.Kind(rawValue: kindText) else {
            throw APIError.badRequest("kind", "kind must be one of \(kinds)")
        }
        var replicas: Int?
        switch object["replicas"] {
        case nil, .null?:
            if kind == .pin { throw APIError.badRequest("replicas", "replicas is required for pin") }
        case .number(let number)?:
            guard kind == .pin else { throw APIError.badRequest("replicas", "replicas is only for pin") }
            guard number.rounded() == number, number >= 0, number <= 100_000 else {
                throw APIError.badRequest("replicas", "replicas must be an integer from 0 to 100000")
            }
            replicas = Int(number)
        default:
            throw APIError.badRequest("replicas", "replicas must be an integer")
        }
        guard let durationValue = object["duration"], durationValue != .null else {
            throw APIError.badRequest("duration", "duration is required, e.g. \"30m\"")
        }
        guard case .string(let duration) = durationValue else { throw APIError.badRequest("duration", "duration must be a string such as \"30m\"") }
        guard Self.apiDuration(duration, range: Self.overrideDurationRange) != nil else {
            throw APIError.badRequest("duration", Self.durationProblem("duration", duration, range: Self.overrideDurationRange))
        }
        var reason: String?
        switch object["reason"] {
        case nil, .null?:
            break
        case .string(let text)?:
            guard text.unicodeScalars.count <= 1000 else { throw APIError.badRequest("reason", "reason must be at most 1000 characters") }
            reason = text
        default:
            throw APIError.badRequest("reason", "reason must be a string")
        }
        return OverrideRequest(kind: kind, replicas: replicas, duration: duration, reason: reason)
    }

    private static func rejectUnknownFields(_ object: [String: JSONValue], allowed: Set<String>) throws {
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw APIError.badRequest(unknown, "unknown field '\(unknown)' (fields: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}

/// The query of one request, checked against the route's accepted parameters.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ request: Request, allowed: Set<String>) throws {
        for (key, value) in request.uri.queryParameters {
            let name = String(key).removingPercentEncoding ?? String(key)
            guard allowed.contains(name) else {
                let accepted = allowed.isEmpty ? "this route takes none" : "accepted: \(allowed.sorted().joined(separator: ", "))"
                throw APIError.badRequest(name, "unknown query parameter '\(name)' (\(accepted))")
            }
            guard values[name] == nil else { throw APIError.badRequest(name, "\(name) is given more than once") }
            values[name] = String(value)
        }
    }

    func string(_ name: String) throws -> String? { values[name] }

    /// A duration of the API (`90m`, `24h`, `7d`: see `StatusAPI.apiDuration(_:range:)`) within `range`.
    func duration(_ name: String, default defaultValue: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text = values[name] else { return defaultValue }
        guard let seconds = StatusAPI.apiDuration(text, range: range) else {
            throw APIError.badRequest(name, StatusAPI.durationProblem(name, text, range: range))
        }
        return seconds
    }

    /// Unix seconds (`1764237600`, `1764237600.5`) or RFC 3339 (`2026-11-27T10:00:00Z`).
    func time(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        if let seconds = Self.parseTime(text) { return seconds }
        throw APIError.badRequest(name, "\(name) must be Unix seconds or an RFC 3339 time such as 2026-11-27T10:00:00Z, not '\(text)'")
    }

    static func parseTime(_ text: String) -> Double? {
        if let seconds = Double(text) {
            // The OpenAPI document's bounds: 0 to 99999999999.
            return seconds.isFinite && seconds >= 0 && seconds <= 99_999_999_999 ? seconds : nil
        }
        return parseRFC3339(text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`, `z` and a space for `T` accepted as RFC 3339 allows.
    /// A `+` of an offset that arrives as a space (an unencoded query) is read as `+`.
    static func parseRFC3339(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 64 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
              let day = number(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
              let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"),
              let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " "):
            guard index + 6 == bytes.count, let hours = number(index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                  let minutes = number(index + 4, 2), hours <= 23, minutes <= 59
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour <= 23, minute <= 59, second <= 60 else {
            return nil
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }
}

extension StatusAPI {
    /// `GET /v1/status` from a cached body while nothing a reader must see at once has changed and
    /// the body is younger than `statusMaxAge`; while one request rebuilds it, others answer the
    /// previous body rather than encoding it again.
    func cachedStatus() async throws -> Response {
        guard let version = backend.statusVersion else { return try JSONResponse.encode(await backend.status()) }
        let count = version.current
        let now = ContinuousClock.now
        if let body = statusCache.reusable(for: count, now: now, maxAge: statusMaxAge) { return JSONResponse.body(body) }
        do {
            let body = ByteBuffer(bytes: try JSONResponse.encoder().encode(await backend.status()))
            statusCache.store(body, count: count, at: now)
            return JSONResponse.body(body)
        } catch {
            statusCache.abandonRebuild()
            throw error
        }
    }
}

/// The last encoded `GET /v1/status` body and what it was built from.
final class StatusBodyCache: Sendable {
    private struct Entry {
        var body: ByteBuffer?
        var count = StatusVersion.Count()
        var builtAt: ContinuousClock.Instant?
        var rebuilding = false
    }

    private let entry = Mutex(Entry())

    /// The cached body when it may be answered for `count` at `now`; otherwise `nil`, and the caller
    /// rebuilds (and must call `store` or `abandonRebuild`).
    func reusable(for count: StatusVersion.Count, now: ContinuousClock.Instant, maxAge: Duration) -> ByteBuffer? {
        entry.withLock { entry in
            guard let body = entry.body, let builtAt = entry.builtAt, entry.count.changes == count.changes else {
                entry.rebuilding = true
                return nil
            }
            if entry.count.ticks == count.ticks || now - builtAt < maxAge || entry.rebuilding { return body }
            entry.rebuilding = true
            return nil
        }
    }

    func store(_ body: ByteBuffer, count: StatusVersion.Count, at now: ContinuousClock.Instant) {
        entry.withLock { entry in
            // A slower rebuild from an older count must not replace a newer body.
            if entry.body != nil, entry.count.changes > count.changes || (entry.count.changes == count.changes && entry.count.ticks > count.ticks) {
                entry.rebuilding = false
                return
            }
            entry = Entry(body: body, count: count, builtAt: now, rebuilding: false)
        }
    }

    func abandonRebuild() { entry.withLock { $0.rebuilding = false } }
}
