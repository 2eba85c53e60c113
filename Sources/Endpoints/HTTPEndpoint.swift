/// How to authenticate to an HTTP endpoint (`auth` in the config). Secrets are read from files at
/// request time, never from config text.
public enum HTTPAuth: Sendable, Equatable {
    case none
    /// `auth.bearerTokenFile`: `Authorization: Bearer <contents of file>` (trailing whitespace trimmed).
    case bearerTokenFile(String)
    /// `auth.username` + `auth.passwordFile`: `Authorization: Basic base64(username:<contents of passwordFile>)`.
    case basic(username: String, passwordFile: String)
}

/// TLS settings for an `https` endpoint (`tls` in the config).
public struct TLSSettings: Sendable, Equatable {
    /// `tls.caFile`: PEM file with the CA certificates to trust instead of the system's.
    public var caFile: String?
    /// `tls.insecureSkipVerify`: skip certificate verification entirely (tests, labs). Never the default.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// How to reach an HTTP endpoint: a metric source (`sources.NAME`) or a webhook orchestrator
/// (`orchestrators.NAME`), keys `url`, `timeout`, `auth`, `tls`, `headers`.
public struct HTTPEndpoint: Sendable, Equatable {
    /// Base URL, e.g. `http://prometheus:9090` (a path prefix such as `/prom` is kept).
    public var url: String
    /// Upper bound for one call, retries included. A metric source's tick deadline may be shorter.
    public var timeoutSeconds: Double
    public var auth: HTTPAuth
    public var tls: TLSSettings?
    /// Extra headers sent with every request (e.g. `X-Scope-OrgID` for Mimir/Cortex).
    public var headers: [String: String]
    /// The largest response body read; a larger one fails. Not a config key.
    public var maxBodyBytes: Int

    public init(
        url: String, timeoutSeconds: Double = 5, auth: HTTPAuth = .none, tls: TLSSettings? = nil,
        headers: [String: String] = [:], maxBodyBytes: Int = 4 << 20
    ) {
        self.url = url
        self.timeoutSeconds = timeoutSeconds
        self.auth = auth
        self.tls = tls
        self.headers = headers
        self.maxBodyBytes = maxBodyBytes
    }
}
