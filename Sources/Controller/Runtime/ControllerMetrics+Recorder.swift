/// The Prometheus metrics are the controller's `MetricsRecorder`.
extension ControllerMetrics: MetricsRecorder {}
