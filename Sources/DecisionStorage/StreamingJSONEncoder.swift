import Foundation
import JSON

/// Writes an `Encodable` value as JSON text as it is encoded, without the intermediate tree
/// `JSONEncoder` builds: the decision log encodes every decision and every planner state, and
/// `JSONEncoder` was a tenth of the controller's CPU with a thousand targets.
///
/// Output decodes with `JSONDecoder` to the same value as `JSONEncoder`'s (keys in encoding order,
/// non-finite numbers as the strings `NaN`, `Infinity`, `-Infinity`, as `LogCoding` configures).
/// Values `JSONEncoder` treats specially (`Date`, `Data`, `URL`, `Decimal`) and nested containers
/// are not streamed: `encode` then answers `nil` and the caller uses `JSONEncoder`.
enum StreamingJSONEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> String? {
        let output = Output()
        let encoder = StreamingEncoder(output: output, codingPath: [])
        try encoder.encode(value)
        return output.unsupported ? nil : String(decoding: output.bytes, as: UTF8.self)
    }
}

private final class Output {
    var bytes: [UInt8] = []
    var unsupported = false

    init() { bytes.reserveCapacity(2048) }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    func append(_ byte: UInt8) { bytes.append(byte) }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    func string(_ value: String) { JSONEscaping.appendQuoted(value, to: &bytes) }

    func number(_ value: Double) {
        if value.isNaN {
            append("\"NaN\"")
        } else if value.isInfinite {
            append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"")
        } else {
            append(value.description)
        }
    }
}

private final class StreamingEncoder: Encoder {
    let output: Output
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The bracket that closes the container this encoder opened, if any.
    private var closing: UInt8?
    /// Elements written into that container so far (for commas).
    var count = 0
    private var wroteValue = false

    init(output: Output, codingPath: [any CodingKey]) {
        self.output = output
        self.codingPath = codingPath
    }

    /// Encodes `value` into this encoder and closes what it opened.
    func encode<T: Encodable>(_ value: T) throws {
        if try writePrimitive(value) { return }
        try value.encode(to: self)
        if let closing {
            output.append(closing)
        } else if !wroteValue {
            output.append("{}")  // as JSONEncoder: a value that encoded nothing is an empty object
        }
    }

    /// Writes the values JSON has a literal for; marks those `JSONEncoder` special-cases unsupported.
    /// Type identity first: a dynamic cast per value cost more than writing it.
    private func writePrimitive<T: Encodable>(_ value: T) throws -> Bool {
        if T.self == String.self {
            output.string(unsafeBitCast(value, to: String.self))
        } else if T.self == Double.self {
            output.number(unsafeBitCast(value, to: Double.self))
        } else if T.self == Int.self {
            output.append(unsafeBitCast(value, to: Int.self).description)
        } else if T.self == Bool.self {
            output.append(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == Float.self {
            output.number(Double(unsafeBitCast(value, to: Float.self)))
        } else if T.self == Int64.self {
            output.append(unsafeBitCast(value, to: Int64.self).description)
        } else if T.self == UInt.self {
            output.append(unsafeBitCast(value, to: UInt.self).description)
        } else if T.self == UInt64.self {
            output.append(unsafeBitCast(value, to: UInt64.self).description)
        } else if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            output.unsupported = true
            output.append("null")
        } else {
            return false
        }
        wroteValue = true
        return true
    }

    /// The coding path is not tracked (only error messages would use it, at an allocation per value).
    func child(_ key: (any CodingKey)?) -> StreamingEncoder {
        StreamingEncoder(output: output, codingPath: [])
    }

    private func open(_ opening: UInt8, _ close: UInt8) {
        if let closing {
            if closing != close { output.unsupported = true }
            return
        }
        if wroteValue { output.unsupported = true }
        output.append(opening)
        closing = close
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(KeyedWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open(UInt8(ascii: "["), UInt8(ascii: "]"))
        return UnkeyedWriter(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(encoder: self) }

    /// A value written through the single-value container.
    func wrote() {
        if wroteValue || closing != nil { output.unsupported = true }
        wroteValue = true
    }

    /// Before an element of this encoder's container: the comma.
    func nextElement() {
        if count > 0 { output.append(UInt8(ascii: ",")) }
        count += 1
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func key(_ key: Key) {
        encoder.nextElement()
        encoder.output.string(key.stringValue)
        encoder.output.append(UInt8(ascii: ":"))
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        encoder.output.append("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try encoder.child(key).encode(value)
    }

    // The common scalars are written in place: the generic path costs a child encoder and a type
    // test per field.
    mutating func encode(_ value: String, forKey key: Key) throws {
        self.key(key)
        encoder.output.string(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.key(key)
        encoder.output.number(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.key(key)
        encoder.output.append(value.description)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.key(key)
        encoder.output.append(value ? "true" : "false")
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.output.unsupported = true
        return encoder.child(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.output.unsupported = true
        return encoder.child(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.output.unsupported = true
        return encoder.child(nil)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.output.unsupported = true
        return encoder.child(key)
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let encoder: StreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.count }

    mutating func encodeNil() throws {
        encoder.nextElement()
        encoder.output.append("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = encoder.count
        encoder.nextElement()
        try encoder.child(IndexKey(index)).encode(value)
    }

    mutating func encode(_ value: String) throws {
        encoder.nextElement()
        encoder.output.string(value)
    }

    mutating func encode(_ value: Double) throws {
        encoder.nextElement()
        encoder.output.number(value)
    }

    mutating func encode(_ value: Int) throws {
        encoder.nextElement()
        encoder.output.append(value.description)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.output.unsupported = true
        return encoder.child(nil).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.output.unsupported = true
        return encoder.child(nil).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.output.unsupported = true
        return encoder.child(nil)
    }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let encoder: StreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {
        encoder.wrote()
        encoder.output.append("null")
    }

    mutating func encode(_ value: Bool) throws { try scalar(value) }
    mutating func encode(_ value: String) throws { try scalar(value) }
    mutating func encode(_ value: Double) throws { try scalar(value) }
    mutating func encode(_ value: Float) throws { try scalar(value) }
    mutating func encode(_ value: Int) throws { try scalar(value) }
    mutating func encode(_ value: Int8) throws { try scalar(Int(value)) }
    mutating func encode(_ value: Int16) throws { try scalar(Int(value)) }
    mutating func encode(_ value: Int32) throws { try scalar(Int(value)) }
    mutating func encode(_ value: Int64) throws { try scalar(value) }
    mutating func encode(_ value: UInt) throws { try scalar(value) }
    mutating func encode(_ value: UInt8) throws { try scalar(UInt(value)) }
    mutating func encode(_ value: UInt16) throws { try scalar(UInt(value)) }
    mutating func encode(_ value: UInt32) throws { try scalar(UInt(value)) }
    mutating func encode(_ value: UInt64) throws { try scalar(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // A wrapper (an enum's raw value, say) encodes its content in place.
        encoder.wrote()
        let inner = encoder.child(nil)
        try inner.encode(value)
    }

    private func scalar<T: Encodable>(_ value: T) throws {
        encoder.wrote()
        try encoder.child(nil).encode(value)
    }
}
