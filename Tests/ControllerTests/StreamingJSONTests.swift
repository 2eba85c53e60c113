@testable import Controller
@testable import DecisionStorage
import Foundation
import Planner
import Testing

@Suite("Streaming JSON encoder of the decision log")
struct StreamingJSONTests {
    /// Decoded with the log's decoder, the streamed text gives back the value, as JSONEncoder's does.
    func roundTrip<T: Codable & Equatable>(_ value: T) throws {
        let streamed = try #require(try StreamingJSONEncoder.encode(value), "streamed")
        let decoder = LogCoding.decoder()
        #expect(try decoder.decode(T.self, from: Data(streamed.utf8)) == value, "\(streamed)")
        let reference = try LogCoding.encoder().encode(value)
        #expect(try decoder.decode(T.self, from: reference) == value)
        // The same document, whatever the key order or number spelling.
        let a = try JSONSerialization.jsonObject(with: Data(streamed.utf8)) as? NSObject
        let b = try JSONSerialization.jsonObject(with: reference) as? NSObject
        #expect(a == b, "\(streamed)")
    }

    @Test func decisionRecords() throws {
        let forecast = ForecastInput(horizonSeconds: 135, p50: 90.25, upper: 110.5, model: "holt-winters(add, 1440)")
        try roundTrip(makeRecord(time: 1_795_823_617.548_347_2, forecast: forecast))
        try roundTrip(makeRecord(target: "odd \"name\"\\ with\nnew line\t\u{01} ünïcödé 🚀", time: 0, reactive: nil, lag: nil, rate: nil, capacity: nil))
        try roundTrip(Fixtures.record(full: true))
        try roundTrip(Fixtures.record(full: false))
    }

    @Test func plannerStates() throws {
        var state = PlannerState()
        state.noteOverride(replicas: 7, current: 3, now: 1_700_000_000.25)
        try roundTrip(state)
        try roundTrip(PlannerState())
    }

    @Test func nonFiniteNumbersAreStringsAsTheLogDecoderExpects() throws {
        let values: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let streamed = try #require(try StreamingJSONEncoder.encode(values))
        #expect(streamed.hasPrefix(#"["NaN","Infinity","-Infinity",0.0,"#), "\(streamed)")
        let decoded = try LogCoding.decoder().decode([Double].self, from: Data(streamed.utf8))
        #expect(decoded[0].isNaN)
        #expect(Array(decoded.dropFirst()) == Array(values.dropFirst()))
    }

    @Test func emptyAndNestedContainers() throws {
        try roundTrip([String: [Int]]())
        try roundTrip([[Int]]())
        try roundTrip(["a": [[1, 2], []], "b": [[]]])
        try roundTrip([Int?.none, 1, nil])
    }

    /// Values JSONEncoder special-cases are not streamed: the caller falls back to JSONEncoder.
    @Test func specialValuesFallBack() throws {
        #expect(try StreamingJSONEncoder.encode(["when": Date(timeIntervalSince1970: 0)]) == nil)
        #expect(try StreamingJSONEncoder.encode([Data([1, 2])]) == nil)
        let text = try LogCoding.encodeText(["when": Date(timeIntervalSince1970: 0)], with: LogCoding.encoder())
        #expect(try LogCoding.decoder().decode([String: Date].self, from: Data(text.utf8)) == ["when": Date(timeIntervalSince1970: 0)])
    }
}
