import Foundation
@testable import JSON
@testable import MetricSources
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    /// The same documents through `JSONDecoder` (the reference) and the parser.
    static let valid: [String] = [
        #"{}"#, #"[]"#, #"0"#, #"-0.5e-3"#, #"1E+2"#, #"true"#, #"false"#, #"null"#, #""""#,
        #"  {"a" : [1, 2.5, -3e2, true, false, null, "x"], "b": {"c": {}} }  "#,
        #"{"esc":"quote \" backslash \\ slash \/ b\b f\f n\n r\r t\t u\u00e9 pair\ud83d\ude80 nul\u0000"}"#,
        #"{"ünïcödé 🚀":"raw ütf-8 ✓"}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1700000000.123,"42"]}]}}"#,
        #"[123456789012345678901234567890, 1.7976931348623157e308, 5e-324]"#,
    ]

    static func reference(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: valid)
    func parsesLikeJSONDecoder(text: String) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == (try Self.reference(text)))
    }

    static let malformed: [(String, String)] = [
        ("", "end of input"), ("{", "end of input"), (#"{"a":1,}"#, "expected a key"), ("[1,]", "unexpected ']'"),
        ("[1 2]", "expected ',' or ']'"), (#"{"a" 1}"#, "expected ':'"), ("01", "unexpected '1' after the document"),
        ("1.", "after '.'"), ("1e", "exponent"), ("-", "end of input"), ("+1", "unexpected '+'"), ("NaN", "unexpected 'N'"),
        ("tru", "end of input"), ("nul1", "unexpected"), (#""abc"#, "unterminated"), ("\"a\u{01}b\"", "control character"),
        (#""\x""#, "invalid escape"), (#""\u12G4""#, #"invalid \u escape"#), (#""\ud83d""#, "unpaired surrogate"),
        (#""\udc00""#, "unpaired surrogate"), ("{} {}", "after the document"), ("1e400", "out of range"),
        (String(repeating: "[", count: 300) + String(repeating: "]", count: 300), "nesting deeper than 256"),
    ]

    @Test(arguments: malformed)
    func refusesMalformedInput(text: String, hint: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
        do {
            _ = try JSONParser.parse(Array(text.utf8))
        } catch {
            #expect(error.message.contains(hint), "\(error.message) should mention \(hint)")
        }
        // Foundation's JSONDecoder on Linux also takes trailing commas and infinite numbers; RFC 8259 does not.
        if ![#"{"a":1,}"#, "[1,]", "1e400"].contains(text), !text.hasPrefix("[[[") {
            #expect((try? Self.reference(text)) == nil, "JSONDecoder refuses it too")
        }
    }

    @Test func aRepeatedKeyKeepsTheLastValue() throws {
        #expect(try JSONParser.parse(Array(#"{"dup":1,"dup":2}"#.utf8)) == .object(["dup": .number(2)]))
    }

    /// What the status API parses request bodies with: readers disagree on which of two equal keys
    /// wins, so a body that has them is refused, at any depth, naming the key.
    @Test(arguments: [
        (#"{"mode":"live","mode":"shadow"}"#, #"duplicate key "mode""#),
        (#"{"a":{"b":1,"c":2,"b":3}}"#, #"duplicate key "b""#),
        (#"[{"x":1},{"x":2,"x":2}]"#, #"duplicate key "x""#),
    ])
    func duplicateKeysAreRefusedWhenAsked(text: String, hint: String) throws {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8), rejectingDuplicateKeys: true) }
        do {
            _ = try JSONValue.parse(Array(text.utf8), rejectingDuplicateKeys: true)
        } catch {
            #expect(error.message.contains(hint), "\(error.message) should mention \(hint)")
        }
        // Equal keys in different objects are not duplicates.
        let separate = try JSONValue.parse(Array(#"[{"x":1},{"x":2}]"#.utf8), rejectingDuplicateKeys: true)
        #expect(separate == .array([.object(["x": .number(1)]), .object(["x": .number(2)])]))
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]  // "\xC3(" — a broken two-byte sequence
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bytes) }
    }

    /// A body the sources see: the message names the problem, its byte, the size and a snippet.
    @Test func sourceMessageNamesTheProblem() throws {
        let result = JSONValue.parse(Array(#"{"status":"success","data":{"result":[1,"#.utf8), from: "Prometheus")
        guard case .failure(let error) = result else {
            Issue.record("parsed a truncated document")
            return
        }
        #expect(error.kind == .decode)
        #expect(error.message.contains("Prometheus answered invalid JSON (unexpected end of input at byte 40; 40 bytes)"), "\(error.message)")
    }
}
