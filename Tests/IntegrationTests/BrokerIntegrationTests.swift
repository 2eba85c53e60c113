import Foundation
import MetricSources
import NIOConcurrencyHelpers
import NIOCore
import Planner
import Testing

/// A clock the test moves, so rates between two real polls are exact.
final class SteppedClock: ControlClock {
    private let box = NIOLockedValueBox(1_700_000_000.0)
    func advance(_ s: Double) { box.withLockedValue { $0 += s } }
    func now() -> Date { Date(timeIntervalSince1970: box.withLockedValue { $0 }) }
    func sleep(seconds: Double) async throws {}
}

extension RealServers {
    @Suite("NATS JetStream (real server)")
    struct NATSIntegrationTests {
        struct Info: Decodable {
            var num_pending: Double
            var num_ack_pending: Double
            var last_seq: Double
            var ack_floor: Double
        }

        @Test("lag and rates match the broker's own numbers", .enabled(Service.nats.skipNote) { await Service.nats.shouldRun() })
        func lagAndRates() async throws {
            try await Service.nats.require()
            let stream = uniqueName("FSIT")
            let clock = SteppedClock()
            let source = NATSSource(
                settings: SourceSettings(name: "nats", type: "nats", endpoint: HTTPEndpoint(url: Service.nats.url)),
                clock: clock)
            func read(_ metric: MetricName) async -> MetricReading {
                await source.read(MetricRequest(metric: metric, query: .nats(NATSQuery(stream: stream, consumer: "worker"))), deadline: deadline())
            }

            // 50 published, 10 delivered, 5 of them acknowledged: 40 pending + 5 awaiting ack.
            let own = try JSONDecoder().decode(Info.self, from: Data(try python("nats_lag.py", ["setup", stream, "worker", "50", "10", "5"]).utf8))
            #expect(own.num_pending + own.num_ack_pending == 45)
            #expect((await read(.lag)).outcome.number == own.num_pending + own.num_ack_pending)

            // First poll of a rate: no rate yet.
            #expect((await read(.arrivalRate)).outcome.kindName == "empty")
            #expect((await read(.throughput)).outcome.kindName == "empty")

            // 30 more arrive and 20 are consumed over 10 (stepped) seconds: 3/s in, 2/s done... plus the
            // 5 fetched-and-held that stay unacked, so the ack floor moves only once those are acknowledged.
            _ = try python("nats_lag.py", ["publish", stream, "30"])
            let after = try JSONDecoder().decode(Info.self, from: Data(try python("nats_lag.py", ["consume", stream, "worker", "20"]).utf8))
            clock.advance(10)
            let arrivals = await read(.arrivalRate)
            let throughput = await read(.throughput)
            #expect(arrivals.outcome.number == (after.last_seq - own.last_seq) / 10)
            #expect(arrivals.outcome.number == 3)
            #expect(throughput.outcome.number == (after.ack_floor - own.ack_floor) / 10)
            #expect((await read(.lag)).outcome.number == after.num_pending + after.num_ack_pending)

            // Recreated stream: its sequence goes back, which is a counter reset, not a negative rate.
            _ = try python("nats_lag.py", ["setup", stream, "worker", "3", "0", "0"])
            clock.advance(10)
            let reset = await read(.arrivalRate)
            #expect(reset.outcome.kindName == "empty")
            #expect(reset.outcome.message.contains("backwards"))
        }

        @Test("an unknown stream is a config error", .enabled(Service.nats.skipNote) { await Service.nats.shouldRun() })
        func unknownStream() async throws {
            try await Service.nats.require()
            let source = NATSSource(settings: SourceSettings(name: "nats", type: "nats", endpoint: HTTPEndpoint(url: Service.nats.url)))
            let reading = await source.read(
                MetricRequest(metric: .lag, query: .nats(NATSQuery(stream: "NO_SUCH_STREAM", consumer: "x"))), deadline: deadline())
            #expect(reading.outcome.errorKind == .config)
            #expect(reading.outcome.message.contains("NO_SUCH_STREAM"))
        }
    }
}

extension RealServers {
    @Suite("RabbitMQ (real server)")
    struct RabbitMQIntegrationTests {
        static func source() throws -> RabbitMQSource {
            let password = NSTemporaryDirectory() + "forescale-it-rabbit-password"
            try "guest\n".write(toFile: password, atomically: true, encoding: .utf8)
            return RabbitMQSource(
                settings: SourceSettings(
                    name: "rabbit", type: "rabbitmq",
                    endpoint: HTTPEndpoint(url: Service.rabbitmq.url, auth: .basic(username: "guest", passwordFile: password))))
        }

        @Test(
            "lag is ready + unacknowledged as the broker counts them",
            .enabled(Service.rabbitmq.skipNote) { await Service.rabbitmq.shouldRun() })
        func lag() async throws {
            try await Service.rabbitmq.require()
            let queue = uniqueName("fs-it-")
            let source = try Self.source()
            // A real consumer holds 5 of 30 messages unacknowledged while we read.
            let helper = Process()
            helper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            helper.arguments = ["python3", repoRoot.appendingPathComponent("scripts/services/producers/rabbitmq_lag.py").path, queue, "30", "5"]
            let stdin = Pipe()
            let stdout = Pipe()
            helper.standardInput = stdin
            helper.standardOutput = stdout
            try helper.run()
            defer {
                try? stdin.fileHandleForWriting.close()
                helper.waitUntilExit()
            }
            let line = String(decoding: stdout.fileHandleForReading.availableDataUntilNewline(), as: UTF8.self)
            try #require(line.hasPrefix("ready"), "the RabbitMQ helper did not get ready: \(line)")

            func read(_ metric: MetricName) async -> MetricReading {
                await source.read(MetricRequest(metric: metric, query: .rabbitMQ(RabbitMQQuery(vhost: "/", queue: queue))), deadline: deadline())
            }
            // The management API refreshes its counts every 5 s; right after the broker starts a
            // queue's first answer may have the message counts without the consumer count yet.
            let lag = try await poll(seconds: 15, { await read(.lag) }, until: { $0.outcome.number == 30 && $0.consumers != nil })
            #expect(lag.outcome.number == 30, "\(lag.outcome)")
            #expect(lag.consumers == 0)
            let arrivals = try await poll(seconds: 15, { await read(.arrivalRate) }, until: { $0.outcome.number != nil })
            #expect(arrivals.outcome.number != nil, "\(arrivals.outcome)")
            #expect((arrivals.outcome.number ?? -1) >= 0)
        }

        @Test("an unknown queue is a config error", .enabled(Service.rabbitmq.skipNote) { await Service.rabbitmq.shouldRun() })
        func unknownQueue() async throws {
            try await Service.rabbitmq.require()
            let source = try Self.source()
            let reading = await source.read(
                MetricRequest(metric: .lag, query: .rabbitMQ(RabbitMQQuery(vhost: "/", queue: "no-such-queue"))), deadline: deadline())
            #expect(reading.outcome.errorKind == .config)
            #expect(reading.outcome.message.contains("no-such-queue"))
        }
    }
}

extension FileHandle {
    /// Reads byte by byte up to a newline (or end of file).
    func availableDataUntilNewline() -> Data {
        var data = Data()
        while let byte = try? read(upToCount: 1), let b = byte.first {
            if b == UInt8(ascii: "\n") { break }
            data.append(b)
        }
        return data
    }
}

extension RealServers {
    @Suite("JSON over HTTP (real server)")
    struct JSONIntegrationTests {
        /// The JSON source on NATS's `/varz`: the server's own port and JetStream's stream count.
        @Test("a JSON pointer into a real server's document", .enabled(Service.nats.skipNote) { await Service.nats.shouldRun() })
        func natsVarz() async throws {
            try await Service.nats.require()
            let source = JSONSource(
                settings: SourceSettings(name: "varz", type: "json", endpoint: HTTPEndpoint(url: Service.nats.url)))
            let port = await source.read(
                MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/varz", pointer: "/port"))), deadline: deadline())
            #expect(port.outcome.number == 4222)
            let missing = await source.read(
                MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/varz", pointer: "/no/such"))), deadline: deadline())
            #expect(missing.outcome.errorKind == .decode)
            #expect(missing.outcome.message.contains(#"no key "no""#))
        }
    }
}
