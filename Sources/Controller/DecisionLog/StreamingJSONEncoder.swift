import Foundation

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
        return output.unsupported ? nil : output.text
    }
}

private final class Output {
    var text = ""
    var unsupported = false

    init() { text.reserveCapacity(1024) }

    func string(_ value: String) {
        text.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }

    func number(_ value: Double) {
        if value.isNaN {
            text.append("\"NaN\"")
        } else if value.isInfinite {
            text.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"")
        } else {
            text.append(value.description)
        }
    }
}

private final class StreamingEncoder: Encoder {
    let output: Output
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The bracket that closes the container this encoder opened, if any.
    private var closing: Character?
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
            output.text.append(closing)
        } else if !wroteValue {
            output.text.append("{}")  // as JSONEncoder: a value that encoded nothing is an empty object
        }
    }

    /// Writes the values JSON has a literal for; marks those `JSONEncoder` special-cases unsupported.
    private func writePrimitive<T: Encodable>(_ value: T) throws -> Bool {
        switch value {
        case let v as String: output.string(v)
        case let v as Double: output.number(v)
        case let v as Float: output.number(Double(v))
        case let v as Int: output.text.append(v.description)
        case let v as Int64: output.text.append(v.description)
        case let v as Int32: output.text.append(v.description)
        case let v as UInt: output.text.append(v.description)
        case let v as UInt64: output.text.append(v.description)
        case let v as Bool: output.text.append(v ? "true" : "false")
        case is Date, is Data, is URL, is Decimal:
            output.unsupported = true
            output.text.append("null")
        default: return false
        }
        wroteValue = true
        return true
    }

    func child(_ key: (any CodingKey)?) -> StreamingEncoder {
        StreamingEncoder(output: output, codingPath: key.map { codingPath + [$0] } ?? codingPath)
    }

    private func open(_ opening: Character, _ close: Character) {
        if let closing {
            if closing != close { output.unsupported = true }
            return
        }
        if wroteValue { output.unsupported = true }
        output.text.append(opening)
        closing = close
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open("{", "}")
        return KeyedEncodingContainer(KeyedWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open("[", "]")
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
        if count > 0 { output.text.append(",") }
        count += 1
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func key(_ key: Key) {
        encoder.nextElement()
        encoder.output.string(key.stringValue)
        encoder.output.text.append(":")
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        encoder.output.text.append("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try encoder.child(key).encode(value)
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
        encoder.output.text.append("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = encoder.count
        encoder.nextElement()
        try encoder.child(IndexKey(index)).encode(value)
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
        encoder.output.text.append("null")
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
