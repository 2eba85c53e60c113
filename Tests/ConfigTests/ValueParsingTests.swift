@testable import ForescaleConfig
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("500ms", 0.5), ("15s", 15), ("2m", 120), ("1h", 3600), ("1d", 86_400), ("14d", 1_209_600),
        ("1h30m", 5400), ("1m30s", 90), ("0s", 0), ("1.5s", 1.5), ("2h0m5s", 7205),
    ])
    func accepts(_ text: String, _ seconds: Double) throws {
        #expect(try ConfigValues.duration(text).get() == seconds)
    }

    @Test(arguments: [
        ("15", "missing unit"), ("1.5", "missing unit"), ("1h30", "missing unit"),
        ("15 seconds", "not a duration"), ("15 s", "not a duration"), ("1h 30m", "not a duration"), ("", "not a duration"),
        ("s", "not a duration"), ("-5s", "must not be negative"), ("5x", "unknown unit 'x'"), ("5sec", "unknown unit 'sec'"),
        ("5S", "unknown unit 'S'"), ("1..5s", "not a duration"), ("+5s", "not a duration"),
    ])
    func rejects(_ text: String, _ message: String) {
        guard case .failure(let error) = ConfigValues.duration(text) else {
            Issue.record("'\(text)' should not parse")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test(arguments: [(0.5, "500ms"), (15, "15s"), (60, "1m"), (5400, "1h30m"), (1_209_600, "14d"), (0, "0s"), (1.5, "1500ms")])
    func formats(_ seconds: Double, _ text: String) {
        #expect(ConfigValues.formatDuration(seconds) == text)
    }
}

@Suite struct RateTests {
    @Test(arguments: [("200/s", 200.0), ("60/m", 1), ("120/min", 2), ("3600/h", 1), ("0.5/s", 0.5), ("0/s", 0)])
    func accepts(_ text: String, _ perSecond: Double) throws {
        #expect(try ConfigValues.rate(text).get() == perSecond)
    }

    @Test(arguments: [
        ("200", "not a rate"), ("200/d", "unknown rate unit '/d'"), ("-1/s", "must not be negative"), ("/s", "not a rate"),
        ("abc/s", "not a rate"), ("200 /s", "not a rate"), ("200/ s", "unknown rate unit"), ("1/2/s", "not a rate"), ("1e3/s", "not a rate"),
    ])
    func rejects(_ text: String, _ message: String) {
        guard case .failure(let error) = ConfigValues.rate(text) else {
            Issue.record("'\(text)' should not parse")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("a plain YAML number is per second; a quoted one is not a rate")
    func plainNumbers() throws {
        let fixed = try SampleConfig([.target("capacity", "{ perReplica: 12.5 }")]).parse().get()
        #expect(fixed.targets[0].policy.capacity == .fixed(perReplica: 12.5))
        let perMinute = try SampleConfig([.target("capacity", "{ perReplica: 600/m }")]).parse().get()
        #expect(perMinute.targets[0].policy.capacity == .fixed(perReplica: 10))
        guard case .failure(let errors) = SampleConfig([.target("capacity", "{ perReplica: '250' }")]).parse() else {
            Issue.record("a quoted number is a string, not a rate")
            return
        }
        #expect(errors.problems.map(\.message) == ["not a rate: '250' (write messages per second as a number, or N/s, N/m, N/h)"])
    }
}

@Suite struct FractionTests {
    @Test(arguments: [("80%", 0.8), ("5%", 0.05), ("100%", 1), ("12.5%", 0.125), ("0%", 0)])
    func accepts(_ text: String, _ fraction: Double) throws {
        #expect(abs(try ConfigValues.fraction(text).get() - fraction) < 1e-12)
    }

    @Test(arguments: ["80", "eighty%", "%", "80 %", "-5%", "80%%", "0.8"])
    func rejects(_ text: String) {
        guard case .failure(let error) = ConfigValues.fraction(text) else {
            Issue.record("'\(text)' should not parse")
            return
        }
        #expect(error.message.contains("not a fraction"))
    }

    @Test("numbers and percentages give the same policy")
    func numberOrPercent() throws {
        let number = try SampleConfig([.target("utilization", "0.75"), .target("tolerance", "0.05")]).parse().get()
        let percent = try SampleConfig([.target("utilization", "75%"), .target("tolerance", "5%")]).parse().get()
        #expect(number.targets[0].policy.targetUtilization == 0.75)
        #expect(number.targets[0].policy.tolerance == 0.05)
        #expect(number.targets[0].policy == percent.targets[0].policy)
    }
}

@Suite struct DidYouMeanTests {
    @Test(arguments: [
        ("maxx", ["min", "max"], "max"), ("intervall", ["interval", "mode"], "interval"), ("burow", ["burrow", "prom"], "burrow"),
        ("STARTUP", ["startup", "slo"], "startup"), ("MaxReplicas", ["maxReplicas"], "maxReplicas"), ("scaledown", ["scaleUp", "scaleDown"], "scaleDown"),
    ])
    func suggests(_ word: String, _ candidates: [String], _ expected: String) {
        #expect(DidYouMean.suggestion(for: word, among: candidates) == expected)
    }

    @Test(arguments: [("foo", ["interval", "mode"]), ("capacityxyz", ["capacity"]), ("x", ["ab"])])
    func staysQuietWhenNothingIsClose(_ word: String, _ candidates: [String]) {
        #expect(DidYouMean.suggestion(for: word, among: candidates) == nil)
    }

    @Test func editDistance() {
        #expect(DidYouMean.editDistance("kitten", "sitting") == 3)
        #expect(DidYouMean.editDistance("", "abc") == 3)
        #expect(DidYouMean.editDistance("same", "same") == 0)
    }
}

@Suite struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:1", "0.0.0.0", 1), ("[::1]:65535", "::1", 65535), ("status.local:9000", "status.local", 9000),
    ])
    func accepts(_ text: String, _ host: String, _ port: Int) throws {
        let parsed = try ConfigBuilder.hostPort(text).get()
        #expect(parsed.0 == host)
        #expect(parsed.1 == port)
    }

    @Test(arguments: ["8080", ":8080", "host:", "host:0", "host:65536", "host:http", "ho st:80"])
    func rejects(_ text: String) {
        #expect((try? ConfigBuilder.hostPort(text).get()) == nil)
    }
}
