import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// TLS material for an outbound HTTP client.
struct TLSMaterial: Sendable {
    var certificateAuthorityPEM: [UInt8]?
    var clientCertificatePEM: [UInt8]?
    var clientKeyPEM: [UInt8]?
    var insecureSkipVerify: Bool

    func makeConfiguration(origin: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let cert = clientCertificatePEM, let key = clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw OrchestratorError(.config, "\(origin): TLS material is not valid PEM: \(error)")
        }
        if insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }
}

enum HTTPSupport {
    /// A client with its own TLS settings; the owner must `shutdown()` it.
    /// `requestTimeoutSeconds` bounds the wait between two reads; `connectTimeoutSeconds` (at most
    /// 10 s) the connection, by default the same.
    static func makeClient(tls: TLSMaterial, requestTimeoutSeconds: Double, origin: String, connectTimeoutSeconds: Double? = nil) throws -> HTTPClient {
        let timeout = TimeAmount.milliseconds(Int64(max(requestTimeoutSeconds, 0.05) * 1000))
        let connect = TimeAmount.milliseconds(Int64(max(connectTimeoutSeconds ?? requestTimeoutSeconds, 0.05) * 1000))
        var configuration = HTTPClient.Configuration(tlsConfiguration: try tls.makeConfiguration(origin: origin))
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: min(connect, .seconds(10)), read: timeout)
        configuration.redirectConfiguration = .disallow
        // No tracing: nothing here reads spans, and a no-op tracer still costs a span per request.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Maps transport errors (not HTTP statuses) to bounded kinds.
    static func transportError(_ error: any Error, what: String, timeoutSeconds: Double) -> OrchestratorError {
        if let error = error as? OrchestratorError { return error }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return OrchestratorError(.timeout, "\(what): no answer within \(timeoutSeconds) s")
            default:
                return OrchestratorError(.connection, "\(what): \(client)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return OrchestratorError(.connection, "\(what): TLS failed (\(error)); check the CA and client certificate settings")
        }
        return OrchestratorError(.connection, "\(what): \(error)")
    }

    /// `Retry-After` as seconds (delta form; an HTTP date is not used by these servers).
    static func retryAfter(_ headers: HTTPHeaders) -> Double? {
        headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
}
