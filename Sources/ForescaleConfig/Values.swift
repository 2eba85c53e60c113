/// Strict parsers for the value syntaxes of the config file: durations, rates and fractions.
///
/// Each returns the value in base units (seconds, messages per second, a fraction of 1), or a
/// message saying what is wrong and how to write it.
public enum ConfigValues {
    static let durationHelp = "write a number and a unit: 500ms, 15s, 2m, 1h, 1d"
    static let rateHelp = "write messages per second as a number, or N/s, N/m, N/h"
    static let fractionHelp = "write a number such as 0.8 or a percentage such as 80%"

    private static let durationUnits: [(unit: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400),
    ]

    /// Parses `500ms`, `15s`, `2m`, `1h30m`, `14d`: one or more `<number><unit>` groups, no spaces,
    /// no sign, units `ms`, `s`, `m`, `h`, `d`.
    public static func duration(_ text: String) -> Result<Double, ValueError> {
        duration(text, form: .config)
    }

    /// Which durations a parse accepts.
    public enum DurationForm: Sendable {
        /// The config's: one or more `<number><unit>` groups (`1h30m`, `1.5h`, `500ms`).
        case config
        /// The status API's: exactly one group, a whole number without leading zeros and one of the
        /// units `s`, `m`, `h`, `d` (`90m`, `24h`, `7d`), so that an OpenAPI `pattern` can state it.
        case wholeSingleUnit
    }

    /// The one duration grammar, in the config's form or the status API's narrower one.
    public static func duration(_ text: String, form: DurationForm) -> Result<Double, ValueError> {
        let help = form == .config ? durationHelp : "write a whole number and one unit: 90m, 24h, 7d"
        if text.isEmpty { return .failure(ValueError("not a duration: '' (\(help))")) }
        if text.hasPrefix("-") { return .failure(ValueError("must not be negative: '\(text)'")) }
        if Double(text) != nil { return .failure(ValueError("missing unit: '\(text)' (\(help))")) }
        let whole = form == .wholeSingleUnit
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && ($0.isNumber || (!whole && $0 == ".")) })
            guard !digits.isEmpty, let number = Double(digits), !(whole && digits.first == "0") else {
                return .failure(ValueError("not a duration: '\(text)' (\(help))"))
            }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isASCII && $0.isLetter })
            guard !unit.isEmpty else {
                if rest.isEmpty { return .failure(ValueError("missing unit: '\(text)' (\(help))")) }
                return .failure(ValueError("not a duration: '\(text)' (\(help))"))
            }
            guard let seconds = durationUnits.first(where: { $0.unit == unit && !(whole && $0.unit == "ms") })?.seconds else {
                return .failure(ValueError("unknown unit '\(unit)' in '\(text)' (units: \(whole ? "s, m, h, d" : "ms, s, m, h, d"))"))
            }
            total += number * seconds
            rest = rest.dropFirst(unit.count)
            if whole, !rest.isEmpty { return .failure(ValueError("not a duration: '\(text)' (\(help))")) }
        }
        return .success(total)
    }

    /// Formats seconds the way the config writes them: `500ms`, `15s`, `2m`, `1h30m`, `14d`.
    public static func formatDuration(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "\(formatNumber(seconds))s" }
        let millis = (seconds * 1000).rounded()
        if millis.truncatingRemainder(dividingBy: 1000) != 0 || seconds < 1 {
            return "\(Int(millis))ms"
        }
        var rest = Int(seconds.rounded())
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    private static let rateUnits: [(unit: String, seconds: Double)] = [
        ("s", 1), ("m", 60), ("min", 60), ("h", 3600),
    ]

    /// A rate in messages per second from the text of a string scalar: `N/s`, `N/m`, `N/min`, `N/h`.
    /// (A plain YAML number is per second; the loader handles that case.)
    public static func rate(_ text: String) -> Result<Double, ValueError> {
        if text.hasPrefix("-") { return .failure(ValueError("must not be negative: '\(text)'")) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let number = plainNumber(parts[0]) else {
            return .failure(ValueError("not a rate: '\(text)' (\(rateHelp))"))
        }
        guard let seconds = rateUnits.first(where: { $0.unit == parts[1] })?.seconds else {
            return .failure(ValueError("unknown rate unit '/\(parts[1])' in '\(text)' (units: /s, /m, /min, /h)"))
        }
        return .success(number / seconds)
    }

    /// A fraction from the text of a string scalar: `80%` → 0.8. (A plain YAML number is taken as is.)
    public static func fraction(_ text: String) -> Result<Double, ValueError> {
        guard text.hasSuffix("%"), let number = plainNumber(text.dropLast()) else {
            return .failure(ValueError("not a fraction: '\(text)' (\(fractionHelp))"))
        }
        return .success(number / 100)
    }

    /// Formats a rate in messages per second: `250/s`, `0.5/s`.
    public static func formatRate(_ perSecond: Double) -> String { "\(formatNumber(perSecond))/s" }

    /// Formats a fraction as a percentage: `80%`.
    public static func formatPercent(_ fraction: Double) -> String { "\(formatNumber(fraction * 100))%" }

    /// A number without a trailing `.0`, rounded to at most three decimals.
    public static func formatNumber(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(rounded)
    }

    /// Digits with at most one decimal point; no sign, no exponent, no spaces.
    static func plainNumber<S: StringProtocol>(_ text: S) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              text.filter({ $0 == "." }).count <= 1, text.first != ".", text.last != "."
        else { return nil }
        return Double(String(text))
    }
}

/// Why a value could not be parsed: the message of the resulting `ConfigProblem`.
public struct ValueError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
