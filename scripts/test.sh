#!/usr/bin/env bash
# The test suite, in two runs of `swift test`:
#   1. the pure and CPU-heavy tests (planner, forecasting, config, simulation, CLI);
#   2. the tests that talk to servers (metric sources, orchestrators, controller, integration), which hold
#      deadlines of their own.
# Swift Testing runs tests concurrently on a pool of one thread per core; on a 2-core machine,
# seconds of forecasting or simulation on both threads would hold up a network test's deadline.
# Running the two groups one after the other keeps each test's timing its own.
# Integration tests need the real servers: scripts/services/start.sh (CI=true makes a missing
# server a failure; without it, they are skipped with a note).
set -euo pipefail
cd "$(dirname "$0")/.."
network='MetricSourcesTests|OrchestratorsTests|IntegrationTests|ControllerTests'
swift test --skip "$network" "$@"
swift test --filter "$network" "$@"
