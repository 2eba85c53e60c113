/// The SQLite decision log is the controller's `DecisionStore`.
extension DecisionLog: DecisionStore {}

/// The Prometheus metrics are the controller's `MetricsRecorder`.
extension ControllerMetrics: MetricsRecorder {}
