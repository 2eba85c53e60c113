import ForescaleTestKit
import Foundation
import MetricSources
import NIOCore
import NIOSSL
import Planner
import Testing

/// A private CA and a server certificate for 127.0.0.1 it signed, made with the openssl CLI.
struct TestPKI {
    let dir: String
    var caFile: String { dir + "/ca.pem" }
    var certFile: String { dir + "/server.pem" }
    var keyFile: String { dir + "/server.key" }

    /// Made once per test run (openssl blocks its thread; EC keys keep that to milliseconds).
    static let shared: Result<TestPKI, any Error> = Result { try make() }

    static func make() throws -> TestPKI {
        let dir = NSTemporaryDirectory() + "forescale-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem",
             "-days", "2", "-subj", "/CN=forescale test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr",
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
             "-CAcreateserial", "-out", "\(dir)/server.pem", "-days", "2", "-extfile", "\(dir)/san.ext"],
        ]
        for args in steps {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw FetchError(.config, "openssl \(args[0]) failed") }
        }
        return TestPKI(dir: dir)
    }

    func serverConfiguration() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
    }
}

@Suite(
    "TLS with a custom CA", .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl CLI to make certificates"))
struct TLSTests {
    static let body = #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"5"]}}"#

    @Test(arguments: [
        ("custom CA", true, false, "value"),
        ("system trust only", false, false, "failed"),
        ("insecureSkipVerify", false, true, "value"),
    ])
    func customCA(name: String, useCA: Bool, insecure: Bool, expected: String) async throws {
        let pki = try TestPKI.shared.get()
        let outcome = try await TestServer.with(tls: try pki.serverConfiguration(), { _ in .json(Self.body) }) { server in
            var s = settings("prometheus", url: server.url)
            s.endpoint.tls = TLSSettings(caFile: useCA ? pki.caFile : nil, insecureSkipVerify: insecure)
            return await PrometheusSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline())
                .outcome
        }
        #expect(outcome.kindName == expected, "\(name): \(outcome)")
        if expected == "failed" {
            #expect(outcome.errorKind == .connection)
            #expect(outcome.message.contains("TLS"), "\(outcome.message)")
        } else {
            #expect(outcome.number == 5)
        }
    }
}
