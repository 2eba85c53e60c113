@_exported import Endpoints
import Foundation

// Plain settings the config module maps to (keys in comments). No dependency on the config module.

/// `orchestrators.<name>` with `type: kubernetes`.
public struct KubernetesSettings: Sendable, Equatable {
    /// `kubeconfig`: path to a kubeconfig file; `nil` means in-cluster service-account credentials.
    public var kubeconfigPath: String?
    /// `context`: the kubeconfig context; `nil` means `current-context`.
    public var context: String?
    /// Bound on every API request.
    public var requestTimeoutSeconds: Double
    /// Attempts on 409 Conflict (re-read then re-patch) before giving up.
    public var conflictRetries: Int
    /// Attempts on 429/503 before giving up, and the longest `Retry-After` honoured.
    public var throttleRetries: Int
    public var maxRetryAfterSeconds: Double
    /// How often a token file is re-read (at most 60 s).
    public var tokenRefreshSeconds: Double

    public init(
        kubeconfigPath: String? = nil,
        context: String? = nil,
        requestTimeoutSeconds: Double = 10,
        conflictRetries: Int = 3,
        throttleRetries: Int = 3,
        maxRetryAfterSeconds: Double = 30,
        tokenRefreshSeconds: Double = 60
    ) {
        self.kubeconfigPath = kubeconfigPath
        self.context = context
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.conflictRetries = conflictRetries
        self.throttleRetries = throttleRetries
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
        self.tokenRefreshSeconds = min(tokenRefreshSeconds, 60)
    }
}

/// `targets[].scale` for a Kubernetes orchestrator.
public struct KubernetesTarget: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case deployment
        case statefulSet
        case replicaSet
        /// `kind: Custom` with `apiVersion: group/version` and `resource: plural`.
        case custom(group: String, version: String, resource: String)
    }

    public var kind: Kind
    /// `nil` means the kubeconfig context's namespace (or `default`, or the pod's namespace in-cluster).
    public var namespace: String?
    public var name: String

    public init(kind: Kind, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// Parses `apiVersion` as `group/version` (`v1` alone means the core group).
    public static func custom(apiVersion: String, resource: String, namespace: String?, name: String) throws -> KubernetesTarget {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !resource.isEmpty, (parts.count == 1 || parts.count == 2), parts.allSatisfy({ !$0.isEmpty }) else {
            throw OrchestratorError(
                .config, "custom scale target needs apiVersion as group/version (got \"\(apiVersion)\") and a plural resource (got \"\(resource)\")")
        }
        let group = parts.count == 2 ? parts[0] : ""
        return KubernetesTarget(kind: .custom(group: group, version: parts.last!, resource: resource), namespace: namespace, name: name)
    }

    var group: String {
        switch kind {
        case .deployment, .statefulSet, .replicaSet: "apps"
        case .custom(let group, _, _): group
        }
    }

    var version: String {
        switch kind {
        case .deployment, .statefulSet, .replicaSet: "v1"
        case .custom(_, let version, _): version
        }
    }

    var resource: String {
        switch kind {
        case .deployment: "deployments"
        case .statefulSet: "statefulsets"
        case .replicaSet: "replicasets"
        case .custom(_, _, let resource): resource
        }
    }
}

/// `orchestrators.<name>` with `type: command`; target `scale: {get: [argv], set: [argv]}`.
public struct CommandSettings: Sendable, Equatable {
    /// `get`: argv printing the current count (optionally `desired ready`) on stdout.
    public var get: [String]
    /// `set`: argv; an element exactly `{replicas}` is replaced by the count. No shell.
    public var set: [String]
    /// `timeout`, per run.
    public var timeoutSeconds: Double
    /// After the timeout: SIGTERM, then SIGKILL after this grace.
    public var killGraceSeconds: Double
    /// Extra environment for the programs (merged over the controller's).
    public var environment: [String: String]

    public init(get: [String], set: [String], timeoutSeconds: Double = 30, killGraceSeconds: Double = 2, environment: [String: String] = [:]) {
        self.get = get
        self.set = set
        self.timeoutSeconds = timeoutSeconds
        self.killGraceSeconds = killGraceSeconds
        self.environment = environment
    }
}

/// `orchestrators.<name>` with `type: webhook`; target `scale: {name: ...}`.
public struct WebhookSettings: Sendable, Equatable {
    /// `url` (POST target; current scale is `GET url?target=<name>`), `timeout` [10s], `auth`
    /// (the bearer token or password file is re-read on every call), `tls` and `headers` (sent on every request).
    public var endpoint: HTTPEndpoint

    public init(endpoint: HTTPEndpoint) {
        self.endpoint = endpoint
    }
}

/// `orchestrators.<name>` with `type: process-pool`; target `scale: {command: [argv]}`.
public struct ProcessPoolSettings: Sendable, Equatable {
    /// `command`: argv of one worker. No shell.
    public var command: [String]
    /// `timeout`: grace between SIGTERM and SIGKILL when stopping a worker.
    public var stopGraceSeconds: Double
    /// Restart back-off: starts at `initial`, doubles per consecutive crash, capped at `max`.
    public var restartBackoffInitialSeconds: Double
    public var restartBackoffMaxSeconds: Double
    /// A worker that ran this long before exiting resets the back-off.
    public var healthyRunSeconds: Double
    /// How often the supervisor checks its workers.
    public var supervisePeriodSeconds: Double
    public var environment: [String: String]

    public init(
        command: [String],
        stopGraceSeconds: Double = 10,
        restartBackoffInitialSeconds: Double = 1,
        restartBackoffMaxSeconds: Double = 60,
        healthyRunSeconds: Double = 30,
        supervisePeriodSeconds: Double = 0.2,
        environment: [String: String] = [:]
    ) {
        self.command = command
        self.stopGraceSeconds = stopGraceSeconds
        self.restartBackoffInitialSeconds = restartBackoffInitialSeconds
        self.restartBackoffMaxSeconds = restartBackoffMaxSeconds
        self.healthyRunSeconds = healthyRunSeconds
        self.supervisePeriodSeconds = supervisePeriodSeconds
        self.environment = environment
    }
}
