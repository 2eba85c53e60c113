import Controller
import Foundation
import ForescaleConfig
import OpenAPIRuntime
import Pipeline

/// The checks of the status API's inputs that the generated code cannot make (it checks types,
/// required properties, enums and unknown body fields; not `pattern`, `minimum` or `maxLength`).
extension StatusAPI {
    /// The scorecard window of `GET /v1/targets/{name}` when `window` is not given.
    public static let defaultWindowSeconds: Double = 86_400
    /// The accepted `window` range: 1 hour to 14 days.
    public static let windowRange: ClosedRange<Double> = 3600...(14 * 86_400)
    /// The series window of `GET /v1/targets/{name}/series` when `window` is not given.
    public static let defaultSeriesWindowSeconds: Double = 6 * 3600
    /// The accepted series `window` range: 5 minutes to 14 days.
    public static let seriesWindowRange: ClosedRange<Double> = 300...(14 * 86_400)
    /// The accepted override `duration` range: 1 minute to 7 days.
    public static let overrideDurationRange = TargetOverride.durationRange
    /// The accepted `limit` range of `GET /v1/decisions`.
    public static let limitRange: ClosedRange<Int> = 1...1000

    /// A duration as the API takes it: a whole number without leading zeros and one unit, `s`, `m`,
    /// `h` or `d` (`90m`, `24h`, `7d`), within `range` (seconds); `nil` otherwise. The config's
    /// duration grammar in its narrower form (`ConfigValues.DurationForm.wholeSingleUnit`), so that
    /// the OpenAPI document can state exactly what is accepted: its `pattern`s spell out these
    /// ranges, and a test checks them against this function.
    public static func apiDuration(_ text: String, range: ClosedRange<Double>) -> Double? {
        guard case .success(let seconds) = ConfigValues.duration(text, form: .wholeSingleUnit), range.contains(seconds) else {
            return nil
        }
        return seconds
    }

    /// The seconds of an optional duration parameter or field, its default when absent.
    static func duration(_ name: String, _ text: String?, default defaultValue: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text else { return defaultValue }
        guard let seconds = apiDuration(text, range: range) else { throw APIError.badRequest(name, durationProblem(name, text, range: range)) }
        return seconds
    }

    static func durationProblem(_ name: String, _ text: String, range: ClosedRange<Double>) -> String {
        let bounds = "from \(ConfigValues.formatDuration(range.lowerBound)) to \(ConfigValues.formatDuration(range.upperBound))"
        return "\(name) must be a whole number and one unit s, m, h or d (e.g. 90m, 24h, 7d), \(bounds), not '\(text)'"
    }

    /// A target name from the path: not empty.
    static func targetName(_ name: String) throws -> String {
        guard !name.isEmpty else { throw APIError.badRequest("name", "empty target name") }
        return name
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
}

/// The times `since` and `until` take (`TimeParameter`): Unix seconds (`1764237600`,
/// `1764237600.5`) or RFC 3339 (`2026-11-27T10:00:00Z`). The generated decoding reads the number
/// itself, and the RFC 3339 form through `Transcoder`, the one RFC 3339 parser of the API.
enum APITime {
    /// The document's bounds of the number: 0 to 99999999999.
    static let range: ClosedRange<Double> = 0...99_999_999_999

    /// The Unix seconds of a decoded `TimeParameter`, checked against the document's bounds.
    static func seconds(_ value: Components.Schemas.TimeParameter?, _ name: String) throws -> Double? {
        guard let value else { return nil }
        if let number = value.value1, number.isFinite, range.contains(number) { return number }
        if let date = value.value2 { return date.timeIntervalSince1970 }
        let text = value.value1.map(ConfigValues.formatNumber) ?? "?"
        throw APIError.badRequest(name, "\(name) must be Unix seconds or an RFC 3339 time such as 2026-11-27T10:00:00Z, not '\(text)'")
    }

    /// Unix seconds or RFC 3339, as a query parameter's text.
    static func parseTime(_ text: String) -> Double? {
        if let seconds = Double(text) {
            return seconds.isFinite && range.contains(seconds) ? seconds : nil
        }
        return parseRFC3339(text)
    }

    /// The generated server's date transcoder: RFC 3339 as `parseRFC3339` reads it.
    struct Transcoder: DateTranscoder {
        func encode(_ date: Date) throws -> String { try ISO8601DateTranscoder.iso8601WithFractionalSeconds.encode(date) }

        func decode(_ text: String) throws -> Date {
            guard let seconds = APITime.parseRFC3339(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 time: '\(text)'"))
            }
            return Date(timeIntervalSince1970: seconds)
        }
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
