import Foundation
import NIOSSL

/// Test-only PKI (P-256, valid for 100 years): a CA, a server certificate for 127.0.0.1/localhost and a
/// client certificate, all signed by the CA. Never used outside tests.
enum TestPKI {
    static let caCertificate = """
-----BEGIN CERTIFICATE-----
MIIBjjCCATWgAwIBAgIUdwt2xYpgjN8yhe3ZgWYuRroUghQwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRZm9yZXNjYWxlLXRlc3QtY2EwIBcNMjYxMTI3MTcyNTAwWhgP
MjEyNjExMDMxNzI1MDBaMBwxGjAYBgNVBAMMEWZvcmVzY2FsZS10ZXN0LWNhMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtGDYwPAMP/48w3n7xZyMIRW+gVZWwX+J
IF87X3gpAUHQC184U7OANP8+n/dtzSSxgjwyVUTL50SgTsdpEq9NuqNTMFEwHQYD
VR0OBBYEFFMAU75lH3JcFldU9u4567uDxYJ/MB8GA1UdIwQYMBaAFFMAU75lH3Jc
FldU9u4567uDxYJ/MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg
LWOq4ljXknBJeqslvwD8G/TmXnwACgeklCiPnxY8JdsCIB6Mdibk4388mcKU1Gqs
iJ2+u2tokjH/k9qnDtAwdfV7
-----END CERTIFICATE-----
"""

    static let serverCertificate = """
-----BEGIN CERTIFICATE-----
MIIBqDCCAU2gAwIBAgIUUaTkZHpNig+kijvPuykLKaNTEa4wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRZm9yZXNjYWxlLXRlc3QtY2EwIBcNMjYxMTI3MTcyNTAwWhgP
MjEyNjExMDMxNzI1MDBaMBQxEjAQBgNVBAMMCTEyNy4wLjAuMTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABBxqA4ji5cRm7d0grE49SnkfOlBWRTK7fQveohGBTZzE
IuRDPjfFczuHb/SAIG5pWKXDZ626HIueYzkOhwgxdw+jczBxMBoGA1UdEQQTMBGH
BH8AAAGCCWxvY2FsaG9zdDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQU
uuqq+3Zn1MaEZHx4OY2S58HBIIcwHwYDVR0jBBgwFoAUUwBTvmUfclwWV1T27jnr
u4PFgn8wCgYIKoZIzj0EAwIDSQAwRgIhAInEyxukKA49SiSTGy6CYNAbkaA+MksB
dHLrjyr/u3BTAiEA2KsK2Xq4r+RnWk93SSXW1hXA4+Pj8LXzXmG7XK0Fi6I=
-----END CERTIFICATE-----
"""

    static let serverKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI6D1ShxDaeYe+sWf
To6thLNgZjbrpR3d5DInrSbq+bOhRANCAAQcagOI4uXEZu3dIKxOPUp5HzpQVkUy
u30L3qIRgU2cxCLkQz43xXM7h2/0gCBuaVilw2etuhyLnmM5DocIMXcP
-----END PRIVATE KEY-----
"""

    static let clientCertificate = """
-----BEGIN CERTIFICATE-----
MIIBqjCCAVGgAwIBAgIUUaTkZHpNig+kijvPuykLKaNTEa8wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRZm9yZXNjYWxlLXRlc3QtY2EwIBcNMjYxMTI3MTcyNTAwWhgP
MjEyNjExMDMxNzI1MDBaMDQxGTAXBgNVBAMMEGZvcmVzY2FsZS1jbGllbnQxFzAV
BgNVBAoMDnN5c3RlbTptYXN0ZXJzMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
lg/9LGwz8LGYDXAmy5uOvJrg7UBtANw/F2xaTI2jvYDBEIG++Jk/9dA38BsR7GZ3
8ZjyZMBPlLJMfr0M2KDkhaNXMFUwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0O
BBYEFKmXxfRID8TRWwq/6bnmLGe/MYmLMB8GA1UdIwQYMBaAFFMAU75lH3JcFldU
9u4567uDxYJ/MAoGCCqGSM49BAMCA0cAMEQCICsHw9b9nTvtlVy6ojRrfyZvgmlY
OaL9pi5cx06Qa4IiAiB109IHE0B/iYtahKVhTRWgfqmSiByOTwvAwiEZ/O9oMQ==
-----END CERTIFICATE-----
"""

    static let clientKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6d/OlwIpNimbHKaD
YRkYhzDoiuPt0EKhv2suMsm4kPihRANCAASWD/0sbDPwsZgNcCbLm468muDtQG0A
3D8XbFpMjaO9gMEQgb74mT/10DfwGxHsZnfxmPJkwE+Uskx+vQzYoOSF
-----END PRIVATE KEY-----
"""

    /// A server configuration that requires a client certificate signed by the CA when `mutual`.
    static func serverTLS(mutual: Bool) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serverCertificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.utf8), format: .pem))
        )
        if mutual {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificate.utf8)))
        }
        return tls
    }
}
