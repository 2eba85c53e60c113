#!/usr/bin/env bash
# The test suite, in three runs of `swift test`:
#   1. the pure and CPU-heavy tests (planner, forecasting, config, simulation, CLI, demo);
#   2. the tests that talk to servers (metric sources, orchestrators, integration), which hold
#      deadlines of their own;
#   3. the controller (runtime, decision log, status API) and `forescale run` end to end.
# Swift Testing runs tests concurrently on a pool of one thread per core; on a 2-core machine,
# seconds of forecasting, simulation or SQLite writes on both threads would hold up a network
# test's deadline. Running the groups one after the other keeps each test's timing its own.
# Integration tests need the real servers: scripts/services/start.sh, and scripts/k8s/start.sh for
# the Kubernetes API server (CI=true makes a missing server a failure; without it, they are
# skipped with a note).
set -euo pipefail
cd "$(dirname "$0")/.."
network='MetricSourcesTests|OrchestratorsTests|IntegrationTests\.RealServers|KubernetesIntegrationTests\.'
controller='ControllerTests\.|ControllerIntegrationTests\.'
swift test --skip "$network|$controller" "$@"
swift test --filter "$network" --skip "$controller" "$@"
swift test --filter "$controller" "$@"
